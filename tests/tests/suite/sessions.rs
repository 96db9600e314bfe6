//! The session-store contract, against Redis (unique prefix) and the in-process store.

use std::time::Duration;

use abdi_tests::{Backend, TestApp, both_backends};

async fn the_session_store_keeps_its_contract(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = &app.state.sessions;
    let long = Duration::from_secs(600);

    assert_eq!(s.get("missing").await.unwrap(), None);
    s.put("a", b"one", long).await.unwrap();
    s.put("a", b"two", long).await.unwrap();
    assert_eq!(s.get("a").await.unwrap().as_deref(), Some(&b"two"[..]));

    let ttl = s.ttl("a").await.unwrap().unwrap();
    assert!(ttl <= long && ttl > Duration::from_secs(590), "{ttl:?}");
    assert!(s.touch("a", Duration::from_secs(30)).await.unwrap());
    assert!(s.ttl("a").await.unwrap().unwrap() <= Duration::from_secs(30));
    assert!(!s.touch("missing", long).await.unwrap());

    assert!(s.put_if_absent("once", b"x", long).await.unwrap());
    assert!(!s.put_if_absent("once", b"y", long).await.unwrap());
    assert_eq!(s.take("once").await.unwrap().as_deref(), Some(&b"x"[..]));
    assert_eq!(s.take("once").await.unwrap(), None, "a taken value is gone");

    assert!(s.delete("a").await.unwrap());
    assert!(!s.delete("a").await.unwrap());
    assert_eq!(s.get("a").await.unwrap(), None);

    // Fixed-window counters.
    assert_eq!(s.hit("rate", long).await.unwrap().0, 1);
    let (count, left) = s.hit("rate", long).await.unwrap();
    assert_eq!(count, 2);
    assert!(left <= long && left > Duration::from_secs(590), "{left:?}");

    // Peeking at a window counts nothing.
    assert_eq!(s.hits("rate").await.unwrap().0, 2);
    assert_eq!(s.hits("rate").await.unwrap().0, 2);
    assert_eq!(s.hits("never-hit").await.unwrap().0, 0);

    // Sets.
    assert!(s.set_members("idx").await.unwrap().is_empty());
    s.set_add("idx", "one", long).await.unwrap();
    s.set_add("idx", "two", long).await.unwrap();
    s.set_add("idx", "two", long).await.unwrap();
    let mut members = s.set_members("idx").await.unwrap();
    members.sort();
    assert_eq!(members, ["one", "two"]);
    s.set_remove("idx", "one").await.unwrap();
    assert_eq!(s.set_members("idx").await.unwrap(), ["two"]);

    // Binary values survive unchanged.
    let bytes: Vec<u8> = (0..=255).collect();
    s.put("bin", &bytes, long).await.unwrap();
    assert_eq!(s.get("bin").await.unwrap().unwrap(), bytes);
}

async fn values_expire(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = &app.state.sessions;
    let short = Duration::from_millis(200);
    s.put("short", b"v", short).await.unwrap();
    s.set_add("short-set", "m", short).await.unwrap();
    assert_eq!(s.hit("short-rate", short).await.unwrap().0, 1);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(s.get("short").await.unwrap(), None);
    assert!(s.set_members("short-set").await.unwrap().is_empty());
    assert_eq!(
        s.hit("short-rate", short).await.unwrap().0,
        1,
        "a new window starts after the old one ends"
    );
}

both_backends!(the_session_store_keeps_its_contract, values_expire);

/// Two apps with different prefixes on the same Redis never see each other's keys.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefixes_isolate_instances() {
    let a = TestApp::spawn(Backend::Postgres).await;
    let b = TestApp::spawn(Backend::Postgres).await;
    a.state
        .sessions
        .put("k", b"a", Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(b.state.sessions.get("k").await.unwrap(), None);
    assert_eq!(
        a.state.sessions.get("k").await.unwrap().as_deref(),
        Some(&b"a"[..])
    );
}
