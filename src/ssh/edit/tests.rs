use super::*;
use std::path::PathBuf;

fn files(main: &str, dropins: &[(&str, &str)], dir: bool) -> SshdFiles {
    SshdFiles {
        main: (PathBuf::from("/etc/ssh/sshd_config"), main.to_string()),
        dropins: dropins
            .iter()
            .map(|(n, t)| {
                (
                    PathBuf::from(format!("/etc/ssh/sshd_config.d/{n}")),
                    t.to_string(),
                )
            })
            .collect(),
        dropin_dir: dir.then(|| PathBuf::from("/etc/ssh/sshd_config.d")),
    }
}

fn settings(ports: &[u16], key_only: bool) -> SshSettings {
    SshSettings {
        ports: ports.to_vec(),
        key_only,
        legacy_root_login_name: false,
    }
}

#[test]
fn main_file_only_keeps_comments_and_puts_the_block_first() {
    let main = "# sshd config\n#Port 22\nPort 22\nAddressFamily any\n";
    let out = apply_settings(&files(main, &[], false), &settings(&[22, 2222], false));
    assert_eq!(
        out.main.1,
        "# sshd config\n#Port 22\n# BEGIN asterisk-harden\n# Written by asterisk-harden; `asterisk-harden rollback` undoes it.\n\
         # SSH's ports are set here only: Port lines elsewhere are commented out, since each one adds a port.\n\
         Port 22\nPort 2222\n# END asterisk-harden\n# Port 22  # asterisk-harden: set in sshd_config\nAddressFamily any\n"
    );
    // The final state replaces the block and is idempotent.
    let fin = apply_settings(&out, &settings(&[2222], false));
    assert!(fin.main.1.contains("Port 2222\n# END") && !fin.main.1.contains("\nPort 22\n"));
    assert_eq!(apply_settings(&fin, &settings(&[2222], false)), fin);
}

#[test]
fn dropin_directory_gets_our_file_and_cloud_init_loses_its_port() {
    let main = "Include /etc/ssh/sshd_config.d/*.conf\n\n# comment kept\nPort 22\nUsePAM yes\n";
    let before = files(
        main,
        &[(
            "50-cloud-init.conf",
            "Port 2200\nPasswordAuthentication yes\n",
        )],
        true,
    );
    let after = apply_settings(&before, &settings(&[2222], true));
    assert_eq!(
        after.dropins[0].0,
        PathBuf::from("/etc/ssh/sshd_config.d/00-asterisk-harden.conf")
    );
    assert!(
        after.dropins[0]
            .1
            .contains("Port 2222\nPermitRootLogin prohibit-password\nPasswordAuthentication no\n")
    );
    assert_eq!(
        after.dropins[1].1,
        "# Port 2200  # asterisk-harden: set in 00-asterisk-harden.conf\n\
         # PasswordAuthentication yes  # asterisk-harden: set in 00-asterisk-harden.conf\n"
    );
    assert!(
        after
            .main
            .1
            .contains("# comment kept\n# Port 22  # asterisk-harden")
    );
    assert_eq!(changes(&before, &after).len(), 3);
    assert_eq!(
        apply_settings(&after, &settings(&[2222], true)),
        after,
        "idempotent"
    );
}

#[test]
fn match_blocks_are_left_alone() {
    let main = "Port 22\nMatch User backup\n  PasswordAuthentication yes\n";
    let out = apply_settings(&files(main, &[], false), &settings(&[2222], true));
    assert!(
        out.main
            .1
            .ends_with("Match User backup\n  PasswordAuthentication yes\n"),
        "{}",
        out.main.1
    );
    assert!(out.main.1.starts_with("# BEGIN asterisk-harden"));
}

#[test]
fn crlf_and_legacy_root_login_name() {
    let main = "Port 22\r\nUsePAM yes\r\n";
    let s = SshSettings {
        ports: vec![2222],
        key_only: true,
        legacy_root_login_name: true,
    };
    let out = apply_settings(&files(main, &[], false), &s);
    assert!(out.main.1.contains("PermitRootLogin without-password\r\n"));
    assert!(
        out.main
            .1
            .contains("# Port 22  # asterisk-harden: set in sshd_config\r\nUsePAM yes\r\n")
    );
}

#[test]
fn flatten_sees_the_candidate() {
    let before = files(
        "Include /etc/ssh/sshd_config.d/*.conf\nPort 22\n",
        &[],
        true,
    );
    let after = apply_settings(&before, &settings(&[22, 2222], false));
    let flat = after.flatten();
    assert!(
        flat.contains("Port 22\nPort 2222\n# END asterisk-harden\n# Port 22  # asterisk-harden"),
        "{flat}"
    );
}
