//! The network as seen from the namespace the tool runs in: the default
//! route's interface (the article's "eth0"), the host's own addresses and the
//! private networks it sits in (never to be dropped as bogons), and whether
//! it has global IPv6 (then the IPv6 rules matter as much as the IPv4 ones).

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::exec::Runner;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NetworkFacts {
    /// The interface of the best default route (lowest metric).
    pub interface: Option<String>,
    /// Every default route: (interface, metric).
    pub default_routes: Vec<(String, u32)>,
    /// Every interface here (`ip -j link show`), lo included.
    pub interfaces: Vec<String>,
    /// The host's global addresses, with their prefix.
    pub addresses: Vec<String>,
    /// The private or shared networks the host sits in (become `local_nets`).
    pub private_networks: Vec<IpNet>,
    pub global_ipv6: bool,
    pub source: String,
}

#[derive(Deserialize)]
struct Route {
    dev: Option<String>,
    metric: Option<u32>,
}

#[derive(Deserialize)]
struct Link {
    ifname: String,
    #[serde(default)]
    addr_info: Vec<AddrInfo>,
}

#[derive(Deserialize)]
struct AddrInfo {
    local: IpAddr,
    prefixlen: u8,
    scope: String,
}

/// `ip -j route show default` → (interface, metric), best first.
pub fn default_routes(json: &str) -> Vec<(String, u32)> {
    let mut routes: Vec<(String, u32)> = serde_json::from_str::<Vec<Route>>(json)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| Some((r.dev?, r.metric.unwrap_or(0))))
        .collect();
    routes.sort_by_key(|(_, m)| *m);
    routes
}

const PRIVATE: [&str; 6] = [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "fc00::/7",
    "169.254.0.0/16",
];

fn is_private(net: &IpNet) -> bool {
    PRIVATE
        .iter()
        .filter_map(|p| p.parse::<IpNet>().ok())
        .any(|p| p.contains(net))
}

#[derive(Deserialize)]
struct Named {
    ifname: String,
}

/// `ip -j link show` → the interface names.
pub fn interface_names(json: &str) -> Vec<String> {
    serde_json::from_str::<Vec<Named>>(json)
        .unwrap_or_default()
        .into_iter()
        .map(|l| l.ifname)
        .collect()
}

/// `ip -j addr show` → (global addresses, private networks, global IPv6?).
pub fn addresses(json: &str) -> (Vec<String>, Vec<IpNet>, bool) {
    let links: Vec<Link> = serde_json::from_str(json).unwrap_or_default();
    let mut addrs = Vec::new();
    let mut private = Vec::new();
    let mut v6 = false;
    for link in links.iter().filter(|l| l.ifname != "lo") {
        for a in link.addr_info.iter().filter(|a| a.scope == "global") {
            addrs.push(format!("{}/{} ({})", a.local, a.prefixlen, link.ifname));
            if let Ok(net) = IpNet::new(a.local, a.prefixlen) {
                let net = net.trunc();
                if is_private(&net) && !private.contains(&net) {
                    private.push(net);
                } else if a.local.is_ipv6() && !is_private(&net) {
                    v6 = true;
                }
            }
        }
    }
    (addrs, private, v6)
}

pub fn probe(runner: &dyn Runner) -> NetworkFacts {
    let routes = runner
        .run("ip", &["-j", "route", "show", "default"], None)
        .map(|r| default_routes(&r.stdout))
        .unwrap_or_default();
    let routes6 = runner
        .run("ip", &["-j", "-6", "route", "show", "default"], None)
        .map(|r| default_routes(&r.stdout))
        .unwrap_or_default();
    let (addresses, private_networks, global_ipv6) = runner
        .run("ip", &["-j", "addr", "show"], None)
        .map(|r| addresses(&r.stdout))
        .unwrap_or_default();
    let interfaces = runner
        .run("ip", &["-j", "link", "show"], None)
        .map(|r| interface_names(&r.stdout))
        .unwrap_or_default();
    let mut all = routes.clone();
    all.extend(routes6);
    NetworkFacts {
        interface: routes.first().or(all.first()).map(|(d, _)| d.clone()),
        default_routes: all,
        interfaces,
        addresses,
        private_networks,
        global_ipv6,
        source: "ip -j route show default; ip -j link show; ip -j addr show".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_default_route_wins() {
        let json = r#"[{"dst":"default","gateway":"10.0.0.1","dev":"ens4","metric":200},
                       {"dst":"default","gateway":"203.0.113.1","dev":"ens3","protocol":"dhcp","metric":100}]"#;
        assert_eq!(
            default_routes(json),
            [("ens3".to_string(), 100), ("ens4".to_string(), 200)]
        );
        assert!(default_routes("[]").is_empty());
        assert_eq!(
            interface_names(r#"[{"ifindex":1,"ifname":"lo"},{"ifindex":2,"ifname":"ens3"}]"#),
            ["lo", "ens3"]
        );
    }

    #[test]
    fn private_networks_and_ipv6() {
        let json = r#"[{"ifname":"lo","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host"}]},
            {"ifname":"ens3","addr_info":[{"family":"inet","local":"10.77.0.1","prefixlen":24,"scope":"global"},
              {"family":"inet6","local":"2001:db8::5","prefixlen":64,"scope":"global"},
              {"family":"inet6","local":"fe80::1","prefixlen":64,"scope":"link"}]}]"#;
        let (addrs, private, v6) = addresses(json);
        assert_eq!(addrs.len(), 2);
        assert_eq!(private, ["10.77.0.0/24".parse::<IpNet>().unwrap()]);
        assert!(v6);
    }
}
