//! Text-level work on iptables-restore files (ours, `iptables-save` output,
//! rules.v4): splitting into tables, replacing one table, carrying other
//! tools' chains over. Pure functions; the transaction feeds them live text.

/// One `*table ... COMMIT` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableBlock {
    pub name: String,
    /// `:CHAIN POLICY [p:b]` lines.
    pub chains: Vec<String>,
    /// `-A ...` (and any other) lines, in order.
    pub rules: Vec<String>,
}

impl TableBlock {
    fn empty(name: &str) -> Self {
        let builtins: &[&str] = match name {
            "raw" => &["PREROUTING", "OUTPUT"],
            "filter" => &["INPUT", "FORWARD", "OUTPUT"],
            "mangle" => &["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
            "nat" => &["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
            _ => &[],
        };
        Self {
            name: name.to_string(),
            chains: builtins
                .iter()
                .map(|c| format!(":{c} ACCEPT [0:0]"))
                .collect(),
            rules: Vec::new(),
        }
    }

    fn render(&self, out: &mut String) {
        out.push('*');
        out.push_str(&self.name);
        out.push('\n');
        for line in self.chains.iter().chain(&self.rules) {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str("COMMIT\n");
    }

    pub fn chain_names(&self) -> Vec<&str> {
        self.chains
            .iter()
            .filter_map(|l| {
                l.strip_prefix(':')
                    .and_then(|r| r.split_whitespace().next())
            })
            .collect()
    }

    fn is_builtin(&self, chain: &str) -> bool {
        self.chains.iter().any(|l| {
            l.strip_prefix(':')
                .is_some_and(|r| r.split_whitespace().next() == Some(chain) && !r.contains(" - "))
        })
    }
}

/// A restore file: free lines (comments) before the tables, then the tables.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RestoreFile {
    pub preamble: Vec<String>,
    pub tables: Vec<TableBlock>,
}

impl RestoreFile {
    pub fn parse(text: &str) -> Self {
        let mut file = RestoreFile::default();
        let mut current: Option<TableBlock> = None;
        for line in text.lines() {
            let trimmed = line.trim();
            if let Some(name) = trimmed.strip_prefix('*') {
                current = Some(TableBlock {
                    name: name.to_string(),
                    chains: Vec::new(),
                    rules: Vec::new(),
                });
            } else if trimmed == "COMMIT" {
                if let Some(t) = current.take() {
                    file.tables.push(t);
                }
            } else if let Some(t) = current.as_mut() {
                if trimmed.starts_with(':') {
                    t.chains.push(trimmed.to_string());
                } else if !trimmed.is_empty() {
                    t.rules.push(line.to_string());
                }
            } else {
                file.preamble.push(line.to_string());
            }
        }
        file
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        for line in &self.preamble {
            out.push_str(line);
            out.push('\n');
        }
        for t in &self.tables {
            t.render(&mut out);
        }
        out
    }

    pub fn table(&self, name: &str) -> Option<&TableBlock> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// Only the named tables; a table missing here comes back empty (built-in
    /// chains, ACCEPT), so restoring it undoes a table we added.
    pub fn only(&self, names: &[&str]) -> RestoreFile {
        RestoreFile {
            preamble: Vec::new(),
            tables: names
                .iter()
                .map(|n| {
                    self.table(n)
                        .cloned()
                        .unwrap_or_else(|| TableBlock::empty(n))
                })
                .collect(),
        }
    }

    /// This file with `block` in place of the table of the same name (added
    /// at the end when absent): how relaxed-raw persists beside the admin's rules.
    pub fn with_table(&self, block: TableBlock) -> RestoreFile {
        let mut out = self.clone();
        match out.tables.iter_mut().find(|t| t.name == block.name) {
            Some(t) => *t = block,
            None => out.tables.push(block),
        }
        out
    }
}

/// Built-in chains that `ours` leaves undeclared (FORWARD, unless the admin
/// asked to drop forwarded traffic) carried over whole from `other` (the
/// live firewall, or the rules.v4 being replaced): their policy and every
/// rule, in order, so a load or a boot leaves them as they were.
pub fn carry_undeclared_builtins(ours: &str, other: &str) -> String {
    let mut ours_file = RestoreFile::parse(ours);
    let other_file = RestoreFile::parse(other);
    for table in ours_file.tables.iter_mut() {
        let Some(theirs) = other_file.table(&table.name) else {
            continue;
        };
        let declared: Vec<String> = table.chain_names().iter().map(|c| c.to_string()).collect();
        for line in &theirs.chains {
            let Some(name) = line
                .strip_prefix(':')
                .and_then(|r| r.split_whitespace().next())
            else {
                continue;
            };
            if !theirs.is_builtin(name) || declared.iter().any(|d| d == name) {
                continue;
            }
            let policy = line.split_whitespace().nth(1).unwrap_or("ACCEPT");
            table.chains.insert(0, format!(":{name} {policy} [0:0]"));
            // A rule jumping into a chain of theirs that ours lacks would
            // make the whole file fail to load: left out (Docker and the
            // like add theirs again when they start).
            let declared_now: Vec<String> =
                table.chain_names().iter().map(|c| c.to_string()).collect();
            let dangling = |rule: &str| {
                let words: Vec<&str> = rule.split_whitespace().collect();
                words.windows(2).any(|w| {
                    (w[0] == "-j" || w[0] == "-g")
                        && theirs.chain_names().contains(&w[1])
                        && !theirs.is_builtin(w[1])
                        && !declared_now.iter().any(|d| d == w[1])
                })
            };
            let prefix = format!("-A {name} ");
            table.rules.extend(
                theirs
                    .rules
                    .iter()
                    .filter(|r| r.starts_with(&prefix) && !dangling(r))
                    .cloned(),
            );
        }
    }
    ours_file.render()
}

/// Chains of other tools (Docker, fail2ban, ufw, FreePBX) in the tables we
/// replace, and the jumps into them from built-in chains, carried into our
/// ruleset so a load never deletes them; built-in chains ours leaves
/// undeclared come over whole. Returns the merged text and the names of the
/// chains kept.
pub fn keep_foreign_chains(ours: &str, live: &str) -> (String, Vec<String>) {
    let mut ours_file = RestoreFile::parse(ours);
    // Built-in chains ours leaves undeclared come over whole (below), so
    // their jumps are not carried here too.
    let declared: Vec<(String, Vec<String>)> = ours_file
        .tables
        .iter()
        .map(|t| {
            let names = t.chain_names().iter().map(|c| c.to_string()).collect();
            (t.name.clone(), names)
        })
        .collect();
    let undeclared_in_ours = |table: &str, chain: &str| {
        declared
            .iter()
            .any(|(t, names)| t == table && !names.iter().any(|n| n == chain))
    };
    let live_file = RestoreFile::parse(live);
    let mut kept = Vec::new();
    for table in ours_file.tables.iter_mut() {
        let Some(live_table) = live_file.table(&table.name) else {
            continue;
        };
        let our_chains: Vec<String> = table.chain_names().iter().map(|s| s.to_string()).collect();
        let foreign: Vec<String> = live_table
            .chain_names()
            .into_iter()
            .filter(|c| !live_table.is_builtin(c) && !our_chains.iter().any(|o| o == c))
            .map(str::to_string)
            .collect();
        if foreign.is_empty() {
            continue;
        }
        let jumps_into_foreign = |line: &str| {
            let words: Vec<&str> = line.split_whitespace().collect();
            words
                .windows(2)
                .any(|w| (w[0] == "-j" || w[0] == "-g") && foreign.iter().any(|f| f == w[1]))
        };
        let chain_of = |line: &str| line.split_whitespace().nth(1).map(str::to_string);
        let mut top = Vec::new();
        let mut bodies = Vec::new();
        for line in &live_table.rules {
            let Some(chain) = chain_of(line) else {
                continue;
            };
            if foreign.contains(&chain) {
                bodies.push(line.clone());
            } else if live_table.is_builtin(&chain)
                && jumps_into_foreign(line)
                && !undeclared_in_ours(&table.name, &chain)
            {
                top.push(line.clone());
            }
        }
        for name in &foreign {
            table.chains.push(format!(":{name} - [0:0]"));
            kept.push(format!("{}/{name}", table.name));
        }
        // Other tools insert their jumps at the top of the built-in chains;
        // restore appends in order, so they go first.
        let mut rules = top;
        rules.append(&mut table.rules);
        rules.append(&mut bodies);
        table.rules = rules;
    }
    // Last, so the foreign chains their rules jump into are declared.
    (carry_undeclared_builtins(&ours_file.render(), live), kept)
}

/// The rules in the live built-in chains of `tables` that the merged ruleset
/// no longer has: the admin's own rules a full load replaces. They are in the
/// backup; the admin is told, never surprised.
/// `ours` lists rules as `iptables-save` printed them right after our last
/// load (its spelling differs from ours, e.g. `-m tcp`), so a re-apply does
/// not mistake our own rules for the admin's.
pub fn replaced_rules(live: &str, tables: &[&str], merged: &str, ours: &[String]) -> Vec<String> {
    let live_file = RestoreFile::parse(live);
    let merged_file = RestoreFile::parse(merged);
    let mut gone = Vec::new();
    for name in tables {
        let Some(t) = live_file.table(name) else {
            continue;
        };
        let keep = merged_file
            .table(name)
            .map(|m| m.rules.clone())
            .unwrap_or_default();
        for line in &t.rules {
            let chain = line.split_whitespace().nth(1).unwrap_or("");
            if t.is_builtin(chain) && !keep.contains(line) && !ours.contains(line) {
                gone.push(format!("{name}: {line}"));
            }
        }
    }
    gone
}

/// The built-in chains' rules of `tables`, as listed in `save` (what to
/// remember as ours right after a load).
pub fn builtin_rules(save: &str, tables: &[&str]) -> Vec<String> {
    let file = RestoreFile::parse(save);
    tables
        .iter()
        .filter_map(|n| file.table(n))
        .flat_map(|t| {
            t.rules
                .iter()
                .filter(|l| t.is_builtin(l.split_whitespace().nth(1).unwrap_or("")))
                .cloned()
        })
        .collect()
}

/// For a `--noflush` load: our user chains are flushed by being declared, but
/// a built-in chain is not, so a jump we added last time would be doubled.
/// Delete each existing jump into `chain` before appending ours again.
pub fn replace_hooks_for_noflush(ours: &str, live: &str, chain: &str) -> String {
    let live_file = RestoreFile::parse(live);
    let mut ours_file = RestoreFile::parse(ours);
    for table in ours_file.tables.iter_mut() {
        let Some(live_table) = live_file.table(&table.name) else {
            continue;
        };
        let deletes: Vec<String> = live_table
            .rules
            .iter()
            .filter(|l| {
                l.split_whitespace()
                    .collect::<Vec<_>>()
                    .windows(2)
                    .any(|w| w[0] == "-j" && w[1] == chain)
            })
            .filter(|l| {
                l.starts_with("-A ")
                    && live_table.is_builtin(l.split_whitespace().nth(1).unwrap_or(""))
            })
            .map(|l| format!("-D {}", &l[3..]))
            .collect();
        let mut rules = deletes;
        rules.append(&mut table.rules);
        table.rules = rules;
    }
    ours_file.render()
}

/// The `ipset restore` lines a rendered ruleset names in its header (`#
/// create ah-... hash:ip ...`): what must exist before it loads.
pub fn set_lines(rules: &str) -> String {
    let mut out = String::new();
    for line in rules.lines() {
        for verb in ["create", "add"] {
            if let Some(rest) = line.strip_prefix(&format!("# {verb} ah-")) {
                out.push_str(&format!("{verb} ah-{rest}\n"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIVE: &str = "# Generated by iptables-save\n*filter\n:INPUT ACCEPT [5:300]\n:FORWARD DROP [0:0]\n\
        :OUTPUT ACCEPT [0:0]\n:DOCKER - [0:0]\n:f2b-sshd - [0:0]\n\
        -A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd\n-A INPUT -p tcp --dport 8080 -j ACCEPT\n\
        -A FORWARD -o docker0 -j DOCKER\n-A DOCKER -d 172.17.0.2/32 -p tcp -j ACCEPT\n\
        -A f2b-sshd -j RETURN\nCOMMIT\n*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n";

    #[test]
    fn parse_and_render_round_trip() {
        let f = RestoreFile::parse(LIVE);
        assert_eq!(f.tables.len(), 2);
        assert_eq!(RestoreFile::parse(&f.render()), f);
    }

    #[test]
    fn foreign_chains_and_their_jumps_are_kept() {
        let ours = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:ASIP - [0:0]\n\
            -A INPUT -j ASIP\n-A ASIP -j RETURN\nCOMMIT\n";
        let (merged, kept) = keep_foreign_chains(ours, LIVE);
        assert_eq!(kept, ["filter/DOCKER", "filter/f2b-sshd"]);
        let f = RestoreFile::parse(&merged);
        let t = f.table("filter").unwrap();
        assert_eq!(
            t.rules[0],
            "-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd"
        );
        assert_eq!(t.rules[1], "-A FORWARD -o docker0 -j DOCKER");
        assert!(
            t.rules
                .contains(&"-A DOCKER -d 172.17.0.2/32 -p tcp -j ACCEPT".to_string())
        );
        assert!(
            !merged.contains("8080"),
            "the admin's own INPUT rules are replaced, not merged"
        );
        assert!(
            f.table("nat").is_none(),
            "tables we do not load are not named"
        );
    }

    #[test]
    fn only_named_tables_and_empty_ones_for_missing() {
        let f = RestoreFile::parse(LIVE).only(&["raw", "filter"]);
        assert_eq!(f.tables[0].name, "raw");
        assert_eq!(
            f.tables[0].chains,
            [":PREROUTING ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]"]
        );
        assert!(f.tables[0].rules.is_empty());
        assert_eq!(f.tables[1].name, "filter");
    }

    #[test]
    fn noflush_hooks_are_replaced_not_doubled() {
        let live = "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:SIPRAW - [0:0]\n\
            -A PREROUTING -i ens3 -j SIPRAW\n-A PREROUTING -j CT --notrack\nCOMMIT\n";
        let ours = "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:SIPRAW - [0:0]\n\
            -A PREROUTING -i ens3 -j SIPRAW\nCOMMIT\n";
        let out = replace_hooks_for_noflush(ours, live, "SIPRAW");
        assert!(
            out.contains("-D PREROUTING -i ens3 -j SIPRAW\n-A PREROUTING -i ens3 -j SIPRAW"),
            "{out}"
        );
        assert!(!out.contains("notrack"));
    }

    #[test]
    fn with_table_replaces_only_that_table() {
        let f = RestoreFile::parse(LIVE);
        let raw = TableBlock {
            name: "raw".into(),
            chains: vec![":PREROUTING ACCEPT [0:0]".into()],
            rules: vec![],
        };
        let g = f.with_table(raw.clone());
        assert_eq!(g.tables.len(), 3);
        assert_eq!(g.table("filter"), f.table("filter"));
        let h = g.with_table(raw);
        assert_eq!(h, g, "idempotent");
    }

    #[test]
    fn an_undeclared_forward_comes_over_whole_and_never_dangles() {
        let ours = "*filter\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:ASIP - [0:0]\n-A INPUT -j ASIP\nCOMMIT\n";
        let live = "*filter\n:INPUT ACCEPT [9:9]\n:FORWARD DROP [5:5]\n:OUTPUT ACCEPT [1:1]\n:DOCKER - [0:0]\n\
            -A FORWARD -o docker0 -j DOCKER\n-A FORWARD -i wg0 -j ACCEPT\n-A DOCKER -d 172.17.0.2/32 -j ACCEPT\nCOMMIT\n";
        // At load: the policy, both rules and Docker's chain.
        let (merged, kept) = keep_foreign_chains(ours, live);
        let t = RestoreFile::parse(&merged);
        let f = t.table("filter").unwrap();
        assert!(
            f.chains.contains(&":FORWARD DROP [0:0]".to_string()),
            "{merged}"
        );
        assert!(
            f.rules
                .contains(&"-A FORWARD -o docker0 -j DOCKER".to_string())
        );
        assert!(f.rules.contains(&"-A FORWARD -i wg0 -j ACCEPT".to_string()));
        assert_eq!(
            f.rules
                .iter()
                .filter(|r| r.starts_with("-A FORWARD"))
                .count(),
            2,
            "no rule twice: {merged}"
        );
        assert_eq!(kept, ["filter/DOCKER"]);
        // For boot (rules.v4): Docker's chain is not carried, so neither is
        // the jump into it; the rest is.
        let boot = carry_undeclared_builtins(ours, live);
        assert!(
            boot.contains(":FORWARD DROP [0:0]") && boot.contains("-A FORWARD -i wg0 -j ACCEPT")
        );
        assert!(!boot.contains("-j DOCKER"), "{boot}");
        // Declared (forward = "drop"): ours wins.
        let drop = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\nCOMMIT\n";
        assert_eq!(
            RestoreFile::parse(&carry_undeclared_builtins(drop, live))
                .table("filter")
                .unwrap()
                .rules
                .len(),
            0
        );
    }
}
