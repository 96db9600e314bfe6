//! One way to page every list: `after` is the `next` of the previous page (a cursor the
//! server made) and `limit` is 1 to 100, 20 by default. Lists are keyset-paged, so page 1,000
//! costs what page 1 does.

/// Items per page when the caller does not say.
pub(crate) const DEFAULT_LIMIT: u64 = 20;
/// The most items one page holds.
pub(crate) const MAX_LIMIT: u64 = 100;

/// Where a list's next page starts, as the list writes and reads it.
pub trait Cursor: Sized {
    fn parse(raw: &str) -> Option<Self>;
    fn render(&self) -> String;
}

/// A page asked for: after which item, and how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page<C> {
    pub after: Option<C>,
    pub limit: u64,
}

/// Why a page cannot be served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageError {
    /// `after` is not a cursor this list made.
    After,
    /// `limit` is outside 1 to 100.
    Limit,
}

impl<C: Cursor> Page<C> {
    pub fn parse(after: Option<&str>, limit: Option<u64>) -> Result<Self, PageError> {
        let after = after
            .map(|raw| C::parse(raw).ok_or(PageError::After))
            .transpose()?;
        match limit.unwrap_or(DEFAULT_LIMIT) {
            limit @ 1..=MAX_LIMIT => Ok(Page { after, limit }),
            _ => Err(PageError::Limit),
        }
    }
}

/// Notification ids (newest first): the next page holds the ids below it.
impl Cursor for i64 {
    fn parse(raw: &str) -> Option<Self> {
        raw.parse().ok().filter(|id| *id > 0)
    }

    fn render(&self) -> String {
        self.to_string()
    }
}

/// Ids that grow with time (UUID v7), newest first: the next page holds the ids below it.
impl Cursor for uuid::Uuid {
    fn parse(raw: &str) -> Option<Self> {
        uuid::Uuid::parse_str(raw).ok()
    }

    fn render(&self) -> String {
        self.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_one_to_a_hundred_items_after_a_cursor_the_list_made() {
        assert_eq!(
            Page::<i64>::parse(None, None),
            Ok(Page {
                after: None,
                limit: 20
            })
        );
        assert_eq!(
            Page::<i64>::parse(Some("42"), Some(100)),
            Ok(Page {
                after: Some(42),
                limit: 100
            })
        );
        assert_eq!(Page::<i64>::parse(None, Some(0)), Err(PageError::Limit));
        assert_eq!(Page::<i64>::parse(None, Some(101)), Err(PageError::Limit));
        assert_eq!(Page::<i64>::parse(Some("x"), None), Err(PageError::After));
        assert_eq!(Page::<i64>::parse(Some("-3"), None), Err(PageError::After));
    }
}
