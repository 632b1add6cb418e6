//! What a blocklist may never block (what `ban` refuses: your own address,
//! trusted sources, trunks; and your local networks): taken out at import.
//! An entry inside a protected network is skipped; a protected network
//! inside an entry becomes a `nomatch` exception of the list's `hash:net`
//! set (the most specific prefix wins there), so the rest of the entry is
//! still blocked. Pure.

use ipnet::IpNet;

/// One protected network and why, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shield {
    pub net: IpNet,
    pub why: String,
}

/// What goes into a list's set.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Item {
    pub net: IpNet,
    /// An exception inside a blocked network.
    pub nomatch: bool,
}

impl Item {
    /// The element as `ipset add` takes it.
    pub fn element(&self) -> String {
        if self.nomatch {
            format!("{} nomatch", self.net)
        } else {
            self.net.to_string()
        }
    }
}

/// The set's items, and one line per protected source the list touched.
pub fn exclude(nets: &[IpNet], shields: &[Shield]) -> (Vec<Item>, Vec<String>) {
    let mut items: Vec<Item> = Vec::new();
    let mut said = Vec::new();
    for n in nets {
        if let Some(s) = shields.iter().find(|s| s.net.contains(n)) {
            said.push(format!("{n} not loaded: {} ({})", s.net, s.why));
            continue;
        }
        items.push(Item {
            net: *n,
            nomatch: false,
        });
        for s in shields.iter().filter(|s| n.contains(&s.net)) {
            let hole = Item {
                net: s.net,
                nomatch: true,
            };
            if !items.contains(&hole) {
                items.push(hole);
            }
            said.push(format!("{} ({}) stays reachable inside {n}", s.net, s.why));
        }
    }
    (items, said)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(t: &str) -> IpNet {
        t.parse().unwrap()
    }

    #[test]
    fn protected_sources_are_never_blocked() {
        let shields = [
            Shield {
                net: net("10.77.0.5/32"),
                why: "trusted".into(),
            },
            Shield {
                net: net("192.0.2.0/24"),
                why: "local network".into(),
            },
        ];
        let (items, said) = exclude(
            &[
                net("10.77.0.0/24"),
                net("192.0.2.9/32"),
                net("198.51.100.0/24"),
            ],
            &shields,
        );
        assert_eq!(
            items,
            [
                Item {
                    net: net("10.77.0.0/24"),
                    nomatch: false
                },
                Item {
                    net: net("10.77.0.5/32"),
                    nomatch: true
                },
                Item {
                    net: net("198.51.100.0/24"),
                    nomatch: false
                },
            ]
        );
        assert_eq!(said.len(), 2, "{said:?}");
        assert_eq!(items[1].element(), "10.77.0.5/32 nomatch");
    }
}
