//! The probe for people: grouped, each finding with where it came from.

use super::Facts;
use crate::ruleset::ListStore;

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

fn section(out: &mut String, title: &str, rows: Vec<(&str, String)>) {
    out.push_str(title);
    out.push('\n');
    for (k, v) in rows {
        out.push_str(&format!("  {k:<28} {v}\n"));
    }
    out.push('\n');
}

pub fn report(f: &Facts) -> String {
    let mut out = String::new();
    let s = &f.system;
    section(
        &mut out,
        "System",
        vec![
            (
                "distro",
                format!(
                    "{} ({:?})  [{}]",
                    s.name.as_deref().unwrap_or("unknown"),
                    s.distro,
                    s.source
                ),
            ),
            (
                "container",
                s.container
                    .clone()
                    .unwrap_or_else(|| "none  [/proc]".into()),
            ),
        ],
    );
    let fw = &f.firewall;
    section(
        &mut out,
        "Firewall",
        vec![
            (
                "iptables backend",
                format!(
                    "{}  [iptables -V]",
                    fw.backend.as_deref().unwrap_or("iptables not installed")
                ),
            ),
            (
                "string/recent/raw work",
                match fw.matches_work {
                    Some(true) => "yes  [tested in a throwaway network namespace]".into(),
                    Some(false) => {
                        format!("NO: {}", fw.matches_error.as_deref().unwrap_or("refused"))
                    }
                    None => format!(
                        "not tested ({})",
                        fw.matches_untested.as_deref().unwrap_or("needs root")
                    ),
                },
            ),
            (
                "phone/ban lists",
                match fw.lists {
                    ListStore::Ipset => format!(
                        "ipset, up to {} addresses each, never evicted  [ipset list -n]",
                        crate::assets::assets().defaults.set_capacity
                    ),
                    ListStore::XtRecent => format!(
                        "xt_recent, {} addresses each, oldest evicted: install ipset  [ipset not found]",
                        crate::assets::assets().defaults.recent_list_capacity
                    ),
                },
            ),
            (
                "other tools' chains",
                format!("{}  [iptables-save]", list(&fw.foreign_chains)),
            ),
            (
                "ufw / firewalld / nftables",
                format!(
                    "{} / {} / {}",
                    yes(fw.ufw_enabled),
                    yes(fw.firewalld_enabled),
                    yes(fw.nftables_service_enabled)
                ),
            ),
            ("boot rules files", list(&fw.rules_files)),
        ],
    );
    let n = &f.network;
    let nets: Vec<String> = n.private_networks.iter().map(|p| p.to_string()).collect();
    section(
        &mut out,
        "Network",
        vec![
            (
                "Internet-facing interface",
                format!(
                    "{}  [{}]",
                    n.interface
                        .as_deref()
                        .unwrap_or("unknown (no default route)"),
                    n.source
                ),
            ),
            ("addresses", list(&n.addresses)),
            ("own private networks", list(&nets)),
            ("global IPv6", yes(n.global_ipv6).into()),
        ],
    );
    let sh = &f.ssh;
    let ports: Vec<String> = sh.ports.iter().map(u16::to_string).collect();
    section(
        &mut out,
        "SSH",
        vec![
            (
                "sshd ports",
                match &sh.ports_error {
                    Some(e) => format!("unknown: {e}"),
                    None => format!("{}  [sshd -T]", ports.join(", ")),
                },
            ),
            (
                "unit / socket activation",
                format!(
                    "{} / {}",
                    sh.unit.as_deref().unwrap_or("none found"),
                    yes(sh.socket_activated)
                ),
            ),
            ("SELinux enforcing", yes(sh.selinux_enforcing).into()),
            (
                "your address",
                sh.admin_address
                    .clone()
                    .unwrap_or_else(|| "not in an SSH session".into()),
            ),
            ("authorized keys", yes(sh.authorized_keys).into()),
        ],
    );
    let a = &f.asterisk;
    let mut rows = Vec::new();
    if !a.installed {
        rows.push((
            "installed",
            "no (/etc/asterisk is absent): the Asterisk step is skipped".to_string(),
        ));
    } else {
        rows.push((
            "version",
            a.version.clone().unwrap_or_else(|| "unknown".into()),
        ));
        rows.push((
            "running",
            match (&a.live, &a.live_absent) {
                (Some(l), _) => format!(
                    "yes: answers `{}` (reads {})",
                    l.ask,
                    l.config_dir.as_deref().unwrap_or("?")
                ),
                (None, Some(why)) => format!("not asked: {why}"),
                (None, None) => "not asked".into(),
            },
        ));
        for t in &a.transports {
            rows.push((
                "SIP transport",
                format!(
                    "{} {:?} port {}  [{}]",
                    t.name, t.protocol, t.port, t.source
                ),
            ));
        }
        rows.push((
            "RTP range",
            a.rtp
                .as_ref()
                .map_or("not set in rtp.conf".into(), |(lo, hi, src)| {
                    format!("{lo}-{hi}  [{src}]")
                }),
        ));
        rows.push(("IAX peers", list(&a.iax_peers)));
        rows.push((
            "AMI bind address",
            a.ami_bindaddr
                .clone()
                .unwrap_or_else(|| "all addresses (no bindaddr)".into()),
        ));
        if let Some(l) = &a.live {
            rows.extend(live_rows(l));
        }
        if let Some(m) = &a.modules {
            rows.push((
                "module directory",
                format!("{} ({} modules)", m.dir, m.names.len()),
            ));
        }
        rows.push((
            "FreePBX / its Firewall",
            format!("{} / {}", yes(a.freepbx), yes(a.freepbx_firewall)),
        ));
        for u in &a.unreadable {
            rows.push(("could not parse", u.clone()));
        }
    }
    section(&mut out, "Asterisk", rows);
    out.push_str("Conflicts and warnings\n");
    if f.warnings.is_empty() {
        out.push_str("  none\n");
    }
    for w in &f.warnings {
        out.push_str(&format!(
            "  ! {}\n    what to do: {}\n",
            w.about, w.what_to_do
        ));
    }
    out
}

/// What the running Asterisk says, marked as such (it wins over the files
/// where they differ: a change not reloaded yet).
fn live_rows(l: &crate::asterisk::LiveAsterisk) -> Vec<(&'static str, String)> {
    let mut rows = Vec::new();
    for t in &l.transports {
        rows.push((
            "SIP transport (live)",
            format!(
                "{} {} {}{}  [pjsip show transports]",
                t.id,
                t.protocol,
                t.bind_address,
                t.port.map(|p| format!(":{p}")).unwrap_or_default()
            ),
        ));
    }
    if let Some((lo, hi)) = l.rtp {
        rows.push((
            "RTP range (live)",
            format!("{lo}-{hi}  [rtp show settings]"),
        ));
    }
    if let Some(ami) = &l.ami {
        let state = match (ami.enabled, &ami.bind_address) {
            (Some(false), _) => "disabled".to_string(),
            (_, Some(b)) => format!(
                "{b}{}",
                ami.port.map(|p| format!(":{p}")).unwrap_or_default()
            ),
            _ => "unknown".to_string(),
        };
        rows.push(("AMI (live)", format!("{state}  [manager show settings]")));
    }
    let article: Vec<&str> = crate::asterisk::modules::ARTICLE_NOLOAD
        .iter()
        .map(|(m, _)| *m)
        .filter(|m| l.loaded_modules.iter().any(|x| x == m))
        .collect();
    rows.push((
        "modules loaded (live)",
        format!(
            "{}; of the article's noload list: {}  [module show]",
            l.loaded_modules.len(),
            if article.is_empty() {
                "none".to_string()
            } else {
                article.join(", ")
            }
        ),
    ));
    rows
}
