//! A TCP proxy a test can turn into a black hole: connections stay open but nothing passes,
//! as when a network drops packets without a reset or a failed-over server vanishes.

use std::sync::Arc;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

pub struct Proxy {
    pub port: u16,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

struct State {
    target: AtomicU16,
    /// Connections accepted in this generation or later pass data.
    live_from: AtomicU64,
    generation: AtomicU64,
}

impl Proxy {
    pub async fn start(target_port: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(State {
            target: AtomicU16::new(target_port),
            live_from: AtomicU64::new(0),
            generation: AtomicU64::new(0),
        });
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let generation = shared.generation.load(Ordering::SeqCst);
                let target = shared.target.load(Ordering::SeqCst);
                let Ok(server) = TcpStream::connect(("127.0.0.1", target)).await else {
                    continue;
                };
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                tokio::spawn(pump(cr, sw, shared.clone(), generation));
                tokio::spawn(pump(sr, cw, shared.clone(), generation));
            }
        });
        Proxy { port, state, task }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Sends new connections to another port.
    pub fn retarget(&self, port: u16) {
        self.state.target.store(port, Ordering::SeqCst);
    }

    /// Every connection open now goes silent (bytes are swallowed, nothing is closed); new
    /// connections work.
    pub fn blackhole_open_connections(&self) {
        let next = self.state.generation.fetch_add(1, Ordering::SeqCst) + 1;
        self.state.live_from.store(next, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, state: Arc<State>, generation: u64) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if generation < state.live_from.load(Ordering::SeqCst) {
            continue;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}
