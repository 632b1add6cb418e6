//! Every mode's rendered rules, pinned as snapshots (tests/snapshots/), and
//! every one accepted by the real iptables-restore / ip6tables-restore --test
//! inside a throwaway namespace. The rules are made in-process on a scripted
//! empty host (`render_here`: no root needed); the kernel tests, and the
//! check that the binary prints the same rules on a real empty host, need
//! root.

mod common;

use std::process::Command;

use common::*;

const EXAMPLES: [&str; 4] = ["strict", "strict-zoiper", "relaxed-open", "relaxed-raw"];

fn example(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/assets/examples/{name}.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn every_mode_renders_as_pinned() {
    for name in EXAMPLES {
        for family in ["ipv4", "ipv6"] {
            let rules = render_here(&example(name), family);
            insta::assert_snapshot!(format!("{name}-{family}"), rules);
        }
    }
}

#[test]
fn rendering_is_deterministic() {
    for name in EXAMPLES {
        assert_eq!(
            render_here(&example(name), "ipv4"),
            render_here(&example(name), "ipv4")
        );
    }
}

#[test]
fn every_mode_passes_restore_test_in_a_real_kernel() {
    if !lab_allowed() {
        return;
    }
    let (_lab, pbx) = Lab::new("golden");
    for name in EXAMPLES {
        for (family, tool) in [("ipv4", "iptables-restore"), ("ipv6", "ip6tables-restore")] {
            let rules = render_here(&example(name), family);
            let out = restore(&pbx.ns, tool, &["--test"], &rules);
            assert!(
                out.status.success(),
                "{name} {family}: {tool} --test refused:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            // --test mostly checks parsing; a real load also meets the kernel.
            let out = restore(&pbx.ns, tool, &[], &rules);
            assert!(
                out.status.success(),
                "{name} {family}: load failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn rate_limits_stay_within_the_kernels_hitcount_limit() {
    let rules = render_here(&example("strict"), "ipv4");
    for word in rules.split("--hitcount ").skip(1) {
        let n: u32 = word.split_whitespace().next().unwrap().parse().unwrap();
        assert!(n <= 255, "hitcount {n} is refused by kernels before 6.11");
    }
}

#[test]
fn the_chosen_interface_replaces_eth_plus() {
    let rules = render_here(&example("strict"), "ipv4");
    assert!(!rules.contains("eth+"));
    assert!(rules.contains("-A PREROUTING -i ens3 -j SIPRAW"));
    assert!(rules.contains("-A INPUT -i ens3 -j IPSPF"));
    // Without an interface, everything but loopback is protected.
    let rules = render_here("mode = \"relaxed-open\"\n", "ipv4");
    assert!(rules.contains("-A PREROUTING ! -i lo -j SIPRAW"), "{rules}");
}

#[test]
fn ssh_is_accepted_and_22_trapped_only_when_ssh_left_it() {
    let moved = render_here(&example("strict"), "ipv4");
    assert!(moved.contains("-A INPUT -p tcp --dport 2222 -j ACCEPT"));
    assert!(moved.contains("-A DPTS -p tcp --dport 22 -j RLMSET"));
    let stayed = render_here("mode = \"relaxed-open\"\n", "ipv4");
    assert!(stayed.contains("-A INPUT -p tcp --dport 22 -j ACCEPT"));
    assert!(
        !stayed.contains("--dport 22 -j RLMSET"),
        "SSH on 22 must not be trapped"
    );
}

#[test]
fn local_nets_are_exempt_from_the_bogon_drop() {
    let rules = render_here(&example("strict"), "ipv4");
    assert!(
        !rules.contains("-A BOGONS -s 10.0.0.0/8 -j DROP"),
        "the server's own 10/8 is dropped"
    );
    assert!(rules.contains("-A BOGONS -s 172.16.0.0/12 -j DROP"));
    // A local subnet inside a bogon range returns early; the rest is still dropped.
    let rules = render_here(
        "mode = \"relaxed-open\"\n[network]\nlocal_nets = [\"192.168.7.0/24\"]\n",
        "ipv4",
    );
    let ret = rules
        .find("-A BOGONS -s 192.168.7.0/24 -j RETURN")
        .expect("exemption");
    let drop = rules
        .find("-A BOGONS -s 192.168.0.0/16 -j DROP")
        .expect("rest dropped");
    assert!(ret < drop);
}

#[test]
fn ipv6_rules_let_neighbour_discovery_and_path_mtu_through() {
    let rules = render_here(&example("strict"), "ipv6");
    for t in [2, 133, 134, 135, 136] {
        assert!(
            rules.contains(&format!(
                "-A ICMP6 -p ipv6-icmp --icmpv6-type {t} -j ACCEPT"
            )),
            "type {t}"
        );
    }
    let icmp = rules.find("-A INPUT -p ipv6-icmp -j ICMP6").unwrap();
    let invalid = rules
        .find("-A INPUT -m conntrack --ctstate INVALID -j DROP")
        .unwrap();
    assert!(
        icmp < invalid,
        "ICMPv6 must be accepted before the INVALID drop"
    );
    assert!(
        !rules.contains("203.0.113.7"),
        "an IPv4 address leaked into the IPv6 rules"
    );
}

#[test]
fn the_binary_renders_the_same_rules_on_a_real_empty_host() {
    if !lab_allowed() {
        return;
    }
    for name in EXAMPLES {
        for family in ["ipv4", "ipv6"] {
            assert_eq!(
                render(&example(name), family),
                render_here(&example(name), family),
                "{name} {family}: the binary in an empty namespace and root differs from the in-process render"
            );
        }
    }
}

#[test]
fn trunk_names_are_resolved_and_shown() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.toml");
    std::fs::write(
        &path,
        "mode = \"strict\"\n[sip]\nhostname = \"a1.example.net\"\ntrunks = [\"localhost\"]\n",
    )
    .unwrap();
    let render = |store: &str| {
        let out = Command::new(bin())
            .args(["render", "--answers"])
            .arg(&path)
            .env("ASTERISK_HARDEN_LISTS", store)
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("trunk localhost resolved to 127.0.0.1")
        );
        let rules = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(rules.contains("# trunk localhost resolved to 127.0.0.1"));
        rules
    };
    // xt_recent: one rule per address, fixed until the next apply.
    assert!(render("xt_recent").contains("-A SIPTCPGATE -s 127.0.0.1/32 -j RETURN"));
    // ipset: the name's addresses in a set that `names refresh` updates.
    let rules = render("ipset");
    assert!(rules.contains("-A SIPTCPGATE -m set --match-set ah-TRUNKS src -j RETURN"));
    assert!(rules.contains("# add ah-TRUNKS 127.0.0.1\n"), "{rules}");
    assert!(!rules.contains("-s 127.0.0.1/32"), "{rules}");
}
