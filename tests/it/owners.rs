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
