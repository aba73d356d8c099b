//! Who holds a port: ranges whose web ports do not fit, the fast path that never
//! asks the engine, `ports who` and `doctor`.

use crate::support::TestEnv;

#[test]
fn a_range_past_the_paired_web_ports_is_refused_at_once() {
    let env = TestEnv::new("30000-30010");
    let run = env.run(["port"]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    run.assert_stderr_contains("`IRIS_DEV_PORT_RANGE=30000-30010` is invalid");
    run.assert_stderr_contains("ends at 14734 or lower");
    assert!(!run.stderr().contains("in use"), "{}", run.stderr());

    let top = TestEnv::new("14733-14734");
    top.project("p");
    assert_eq!(top.run(["port", "-C", "p"]).success().port(), 14_733);
    let web = top.run(["port", "--web", "-C", "p"]).success().port();
    assert_eq!(web, 65_534);

    let pinned = TestEnv::new("30000-30010").with("IRIS_DEV_WEB_PORT", "30100");
    pinned.project("p");
    let port = pinned.run(["port", "-C", "p"]).success().port();
    assert!((30_000..=30_010).contains(&port));
}

/// An engine that accepts connections and never answers: anything that talks to
/// it hangs until its timeout, and every connection is counted.
struct SilentEngine {
    address: std::net::SocketAddr,
    accepted: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl SilentEngine {
    fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = accepted.clone();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming().flatten() {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                held.push(stream);
            }
        });
        Self { address, accepted }
    }

    fn url(&self) -> String {
        format!("tcp://{}", self.address)
    }

    fn connections(&self) -> usize {
        self.accepted.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[test]
fn port_with_an_active_assignment_makes_no_engine_connection() {
    let env = TestEnv::new("13100-13109").with("DOCKER_HOST", "unix:///nonexistent");
    env.project("p");
    let first = env.run(["port", "-C", "p"]).success().port();

    let engine = SilentEngine::start();
    let env = env.with("DOCKER_HOST", &engine.url());
    assert_eq!(env.run(["port", "-C", "p"]).success().port(), first);
    let run = env.run(["env", "-C", "p", "--format", "dotenv"]).success();
    run.assert_stdout_contains(&format!("IRIS_PORT={first}"));
    assert_eq!(engine.connections(), 0, "the fast path asked the engine");

    // A project without ports is the slow path: it asks the engine, which does
    // not answer, and still gets ports.
    env.project("q");
    let second = env.run(["port", "-C", "q"]).success().port();
    assert_ne!(second, first);
    assert!(engine.connections() > 0);
}
