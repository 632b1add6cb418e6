//! Drop counters per cause, read from `iptables-save -c` output (each rule
//! prefixed with `[packets:bytes]`). Pure: the rules are recognised by their
//! chain and their kernel spelling, so a stale binary still reads them.

use serde::Serialize;

use crate::answers::Mode;

/// Packets dropped, by why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Drops {
    /// First packet carrying a scanner's signature (the source is then banned).
    pub scanner_user_agent: u64,
    /// Later packets from a banned scanner.
    pub banned_source: u64,
    /// Knocks on a trap port (the source is then banned on every port).
    pub port_scan_trap: u64,
    /// Later packets from a trapped source.
    pub trapped_source: u64,
    pub bogon: u64,
    pub bad_tcp_flags: u64,
    pub rate_limit: u64,
    /// UDP SIP from sources that never named the hostname, and TCP SIP data
    /// before the hostname (strict mode).
    pub sip_without_hostname: u64,
    /// Packets from sources on a blocklist (`blocklist add`).
    pub blocklist: u64,
    /// UDP SIP and RTP dropped by the QUIET lookup, strict mode's first
    /// drop: strangers quieted for flooding SIP without the hostname, and
    /// (with ipset) banned sources, whose bans the rules copy there. One
    /// lookup serves both, so one count.
    pub quieted_or_banned: u64,
}

impl Drops {
    pub fn total(&self) -> u64 {
        self.scanner_user_agent
            + self.banned_source
            + self.port_scan_trap
            + self.trapped_source
            + self.bogon
            + self.bad_tcp_flags
            + self.rate_limit
            + self.sip_without_hostname
            + self.blocklist
            + self.quieted_or_banned
    }
}

/// One rule with its counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountedRule {
    pub packets: u64,
    pub chain: String,
    pub text: String,
}

/// The rules of `iptables-save -c` output, with their packet counters.
pub fn parse(save: &str) -> Vec<CountedRule> {
    save.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix('[')?;
            let (counters, rule) = rest.split_once("] ")?;
            let packets = counters.split(':').next()?.parse().ok()?;
            let mut words = rule.split_whitespace();
            (words.next()? == "-A").then_some(())?;
            let chain = words.next()?.to_string();
            Some(CountedRule {
                packets,
                chain,
                text: rule.to_string(),
            })
        })
        .collect()
}

fn drops_to(r: &CountedRule) -> bool {
    r.text.ends_with("-j DROP")
}

/// The rule tests membership of list `name` (xt_recent `--name NAME`, or
/// the ipset sets `ah-NAME` / `ah-NAME6`), as the kernel spells them.
fn matches_list(r: &CountedRule, name: &str) -> bool {
    let t = &r.text;
    t.contains(&format!("--name {name} "))
        || t.contains(&format!("--match-set ah-{name} "))
        || t.contains(&format!("--match-set ah-{name}6 "))
}

/// Packets dropped per cause, counted on the rules that drop (or that send
/// to the chain that drops, where that chain serves more than one cause),
/// never on whole chains: each packet is counted once, where the kernel
/// counted it, for both list stores.
pub fn drops(rules: &[CountedRule]) -> Drops {
    let mut d = Drops::default();
    for r in rules {
        let t = &r.text;
        let n = r.packets;
        match r.chain.as_str() {
            // The signature's first packet: BADSIP adds the source, then drops.
            "BADSIP" if drops_to(r) => d.scanner_user_agent += n,
            // A trap port: to RLMSET (which traps and drops) or dropped there.
            "DPTS" if t.ends_with("-j RLMSET") || drops_to(r) => d.port_scan_trap += n,
            "BADSIP" | "RLMSET" | "DPTS" => {}
            _ if matches_list(r, "BADSIP") && drops_to(r) => d.banned_source += n,
            _ if matches_list(r, crate::ruleset::BLOCKLISTS) && drops_to(r) => d.blocklist += n,
            _ if matches_list(r, "RLM") && (drops_to(r) || t.ends_with("-j RLMSET")) => {
                d.trapped_source += n
            }
            "BOGONS" | "RAWBOGONS" if drops_to(r) => d.bogon += n,
            "IPSPF" if t.contains(" -d ") && drops_to(r) => d.bogon += n,
            "IPSPF" if t.contains("--name INSYN") && drops_to(r) => d.rate_limit += n,
            "IPSPF"
                if (t.contains("--tcp-flags") || t.contains("--length"))
                    && (drops_to(r) || t.contains("REJECT")) =>
            {
                d.bad_tcp_flags += n
            }
            "TCPSIP" | "UDPSIP" if t.contains("--name SIP_") && drops_to(r) => d.rate_limit += n,
            "ASIP" if t.contains("-p udp") && drops_to(r) => d.sip_without_hostname += n,
            "SIPTCPGATE" if drops_to(r) => d.sip_without_hostname += n,
            // A stranger quieted for flooding SIP without the hostname: the
            // packet that quieted it (QUIETSET)...
            "QUIETSET" if drops_to(r) => d.sip_without_hostname += n,
            // ...a banned source's packet that copied its ban onto QUIET...
            "BANNED" if drops_to(r) => d.banned_source += n,
            // ...and the UDP SIP and RTP of both after that.
            _ if matches_list(r, "QUIET") && drops_to(r) => d.quieted_or_banned += n,
            _ => {}
        }
    }
    d
}

/// The mode in force, read from the loaded rules; `None`: none of ours.
pub fn mode(rules: &[CountedRule]) -> Option<Mode> {
    let ours = rules
        .iter()
        .any(|r| r.chain == "PREROUTING" && r.text.ends_with("-j SIPRAW"));
    if !ours {
        return None;
    }
    if rules
        .iter()
        .any(|r| r.chain == "SIPRAW" && r.text.ends_with("-j NEWSIP"))
    {
        return Some(Mode::Strict);
    }
    if rules.iter().any(|r| r.chain == "ASIP") {
        return Some(Mode::RelaxedOpen);
    }
    Some(Mode::RelaxedRaw)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAVE: &str = "*raw\n:PREROUTING ACCEPT [100:5000]\n[90:4000] -A PREROUTING -i ens3 -j SIPRAW\n\
        [3:120] -A SIPRAW -m recent --update --name BADSIP --mask 255.255.255.255 --rsource -j DROP\n\
        [1:40] -A SIPRAW -p udp -m udp --dport 5060:5082 -m string --string \"sip:x.example\" --algo bm --to 1500 --icase -j NEWSIP\n\
        [2:80] -A BADSIP -m recent --set --name BADSIP --mask 255.255.255.255 --rsource -j DROP\nCOMMIT\n\
        *filter\n[4:160] -A INPUT -m recent --update --seconds 600 --hitcount 1 --name RLM --mask 255.255.255.255 --rsource -j DROP\n\
        [5:200] -A BOGONS -s 172.16.0.0/12 -j DROP\n[6:240] -A ASIP -p udp -m udp --dport 5060:5082 -j DROP\n\
        [7:280] -A RLMSET -m recent --set --name RLM --mask 255.255.255.255 --rsource -j DROP\n\
        [7:280] -A DPTS -p tcp -m tcp --dport 5900 -j RLMSET\n\
        [8:320] -A IPSPF -p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE -j DROP\nCOMMIT\n";

    /// The ipset form: BADSIP and RLMSET add to a set in one rule and drop
    /// in the next; the later packets of a banned or trapped source match a
    /// set. 1 scanner packet then 4 from the same source read 1 and 4.
    const SAVE_IPSET: &str = "*raw\n[4:160] -A SIPRAW -m set --match-set ah-BADSIP src -j DROP\n\
        [2:80] -A NEWSIP -m set --match-set ah-RLM src -j DROP\n\
        [1:40] -A BADSIP -j SET --add-set ah-BADSIP src --exist\n[1:40] -A BADSIP -j DROP\nCOMMIT\n\
        *filter\n[3:120] -A INPUT -m set --match-set ah-RLM src -j RLMSET\n\
        [1:40] -A DPTS -p tcp -m tcp --dport 5900 -j RLMSET\n[0:0] -A DPTS -p tcp -m tcp --dport 443 -j DROP\n\
        [4:160] -A RLMSET -j SET --del-set ah-MYSIP src\n[4:160] -A RLMSET -j SET --add-set ah-RLM src --exist\n\
        [4:160] -A RLMSET -j DROP\nCOMMIT\n*raw\n[5:200] -A SIPRAW -m set --match-set ah-BADSIP6 src -j DROP\n\
        [7:280] -A SIPRAW -m set --match-set ah-BLOCK src -j DROP\nCOMMIT\n";

    #[test]
    fn counts_each_packet_once_with_ipset() {
        let d = drops(&parse(SAVE_IPSET));
        assert_eq!(d.scanner_user_agent, 1);
        assert_eq!(d.banned_source, 9, "4 IPv4 and 5 IPv6");
        assert_eq!(d.port_scan_trap, 1);
        assert_eq!(d.trapped_source, 5, "2 SIP in raw, 3 in INPUT");
        assert_eq!(d.blocklist, 7);
        assert_eq!(d.total(), 23);
    }

    /// Strict mode with ipset: a banned source's first packet past QUIET
    /// goes to BANNED (copied onto QUIET, dropped: a ban drop), its later
    /// SIP and RTP drop at the QUIET lookup, with the quieted strangers'.
    #[test]
    fn the_quiet_lookup_counts_quieted_and_banned_together() {
        let save = "*raw\n[6:240] -A SIPRAW -p udp -m udp --dport 5060:5082 -m set --match-set ah-QUIET src -j DROP\n\
            [2:80] -A SIPRAW -p udp -m udp --dport 10000:20000 -m set --match-set ah-QUIET src -j DROP\n\
            [1:40] -A SIPRAW -m set --match-set ah-BADSIP src -j BANNED\n\
            [1:40] -A BANNED -j SET --add-set ah-QUIET src --exist --timeout 0\n[1:40] -A BANNED -j DROP\nCOMMIT\n\
            *filter\n[3:120] -A QUIETSET -j SET --add-set ah-QUIET src --exist\n[3:120] -A QUIETSET -j DROP\nCOMMIT\n";
        let d = drops(&parse(save));
        assert_eq!(d.banned_source, 1);
        assert_eq!(d.quieted_or_banned, 8);
        assert_eq!(d.sip_without_hostname, 3);
        assert_eq!(d.total(), 12);
    }

    #[test]
    fn counts_each_cause() {
        let rules = parse(SAVE);
        let d = drops(&rules);
        assert_eq!(
            d,
            Drops {
                scanner_user_agent: 2,
                banned_source: 3,
                port_scan_trap: 7,
                trapped_source: 4,
                bogon: 5,
                bad_tcp_flags: 8,
                rate_limit: 0,
                sip_without_hostname: 6,
                blocklist: 0,
                quieted_or_banned: 0
            }
        );
        assert_eq!(d.total(), 35);
        assert_eq!(mode(&rules), Some(Mode::Strict));
        assert_eq!(
            mode(&parse("*filter\n[1:1] -A INPUT -j DROP\nCOMMIT\n")),
            None
        );
    }
}
