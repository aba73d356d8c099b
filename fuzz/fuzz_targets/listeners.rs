//! Who listens on a port: `/proc/net/tcp{,6}`, `/proc/PID/status`,
//! `/proc/PID/cmdline`, `/etc/passwd` and `lsof -F pcuLn` text. Whatever the
//! text, no panic; a LISTEN line rendered as the kernel writes it is found with
//! its port, uid and inode; an lsof record is found with its port and pid.
#![no_main]

use arbitrary::Arbitrary;
use iris_dev::core::owner::{self, Owner};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    text: &'a str,
    raw: &'a [u8],
    port: u16,
    uid: u32,
    inode: u64,
    pid: u32,
}

fuzz_target!(|input: Input<'_>| {
    let text = input.text;
    for listener in owner::parse_proc_net_tcp(text) {
        let _ = owner::unreadable(&listener, None);
    }
    let _ = owner::parse_lsof(text);
    let _ = owner::socket_inode(text);
    let _ = owner::status_uid(text);
    let _ = owner::user_name(text, input.uid);
    let line = owner::command_line(input.raw);
    assert!(!line.contains('\n') && !line.contains('\0'), "{line:?}");
    assert!(owner::shorten(text).chars().count() <= 80);

    // The kernel's own format, after whatever `text` held as its header.
    let header = text.lines().next().unwrap_or("");
    let table = format!(
        "{header}\n   0: 0100007F:{:04X} 00000000:0000 0A 00000000:00000000 00:00000000 00000000 {:>5}        0 {} 1 0000000000000000 100 0 0 10 0\n",
        input.port, input.uid, input.inode
    );
    let found = owner::parse_proc_net_tcp(&table);
    assert_eq!(found.len(), 1, "{table:?}");
    assert_eq!(
        (found[0].port, found[0].uid, found[0].inode),
        (input.port, input.uid, input.inode)
    );
    assert_eq!(
        owner::socket_inode(&format!("socket:[{}]", input.inode)),
        Some(input.inode)
    );

    let lsof = format!(
        "p{}\ncpython3\nu{}\nLdev\nf3\nn127.0.0.1:{}\n",
        input.pid, input.uid, input.port
    );
    let held = owner::parse_lsof(&lsof);
    assert_eq!(held.len(), 1, "{lsof:?}");
    let (port, Owner::Process { pid, uid, .. }) = &held[0] else {
        panic!("{held:?}");
    };
    assert_eq!((*port, *pid, *uid), (input.port, input.pid, input.uid));
});
