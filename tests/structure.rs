//! The shape of `src/`: no import cycle between the library's top-level
//! modules, and no file a newcomer cannot read in one sitting. Read from the
//! source text, so a new `use crate::…` that closes a loop fails here, with
//! the files that make each edge of the loop.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The longest a file in src/ may be.
const MAX_LINES: usize = 600;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to ("plan" for src/plan/host.rs),
/// or None for the binary's own files (main.rs, cli.rs, commands/, bin/),
/// which sit above the library and may use any of it.
fn module_of(relative: &Path) -> Option<String> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!["main", "lib", "cli", "commands", "bin"].contains(&name)).then(|| name.to_string())
}

/// Every top-level module `text` names through `crate::`: `crate::plan::X`,
/// and each head of a group, `crate::{plan::X, probe}`.
fn crate_references(text: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut names = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        // Not `asterisk_harden::`-style paths ending in "crate::" by accident.
        if text[..i]
            .chars()
            .last()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            for part in split_top_level(inner) {
                let name = ident(part.trim());
                if !name.is_empty() {
                    names.insert(name);
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                names.insert(name);
            }
        }
    }
    names
}

/// `text` without its `//` comments: a doc comment that names a module
/// (`crate::blocklist`) is no import.
fn code_only(text: &str) -> String {
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `a::{b, c}, d` split at the commas outside braces.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// module → (module it uses → the files that use it).
type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

fn module_graph() -> Graph {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let relative = file.strip_prefix(&root).unwrap();
        let Some(module) = module_of(relative) else {
            continue;
        };
        let text = code_only(&std::fs::read_to_string(&file).unwrap());
        let edges = graph.entry(module.clone()).or_default();
        for used in crate_references(&text) {
            if used != module {
                edges
                    .entry(used)
                    .or_default()
                    .insert(relative.display().to_string());
            }
        }
    }
    graph
}

/// A loop in `graph`, as the modules along it, if there is one.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Seen {
        Open,
        Done,
    }
    fn visit(
        m: &str,
        graph: &Graph,
        seen: &mut BTreeMap<String, Seen>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match seen.get(m) {
            Some(Seen::Done) => return None,
            Some(Seen::Open) => {
                let from = path.iter().position(|p| p == m).unwrap();
                let mut cycle = path[from..].to_vec();
                cycle.push(m.to_string());
                return Some(cycle);
            }
            None => {}
        }
        seen.insert(m.to_string(), Seen::Open);
        path.push(m.to_string());
        for next in graph.get(m).into_iter().flat_map(|e| e.keys()) {
            if let Some(c) = visit(next, graph, seen, path) {
                return Some(c);
            }
        }
        path.pop();
        seen.insert(m.to_string(), Seen::Done);
        None
    }
    let mut seen = BTreeMap::new();
    graph
        .keys()
        .find_map(|m| visit(m, graph, &mut seen, &mut Vec::new()))
}

#[test]
fn no_import_cycle_between_the_librarys_modules() {
    let graph = module_graph();
    assert!(
        graph.len() > 10 && graph["plan"].contains_key("ruleset"),
        "the module graph was not read: {graph:?}"
    );
    if let Some(cycle) = find_cycle(&graph) {
        let edges: Vec<String> = cycle
            .windows(2)
            .map(|w| format!("  {} -> {} in {:?}", w[0], w[1], graph[&w[0]][&w[1]]))
            .collect();
        panic!(
            "import cycle {}:\n{}\nwhat to do: move what both need into the lower module",
            cycle.join(" -> "),
            edges.join("\n")
        );
    }
}

#[test]
fn the_cycle_check_sees_a_cycle() {
    let text = "use crate::{answers::PortRange, ruleset::{Family, build}};\nfn f() { crate::probe::x(); }\n/// see `crate::plan`\n";
    let used = crate_references(&code_only(text));
    assert_eq!(
        used.into_iter().collect::<Vec<_>>(),
        ["answers", "probe", "ruleset"]
    );
    let mut graph = Graph::new();
    let edge = |g: &mut Graph, a: &str, b: &str| {
        g.entry(a.into())
            .or_default()
            .entry(b.into())
            .or_default()
            .insert(format!("src/{a}.rs"));
    };
    edge(&mut graph, "lists", "transaction");
    edge(&mut graph, "transaction", "plan");
    assert_eq!(find_cycle(&graph), None);
    edge(&mut graph, "plan", "lists");
    assert_eq!(
        find_cycle(&graph).unwrap(),
        ["lists", "transaction", "plan", "lists"]
    );
}

#[test]
fn no_file_in_src_is_over_600_lines() {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut long: Vec<String> = files
        .iter()
        .map(|f| {
            let lines = std::fs::read_to_string(f).unwrap().lines().count();
            (
                f.strip_prefix(manifest).unwrap().display().to_string(),
                lines,
            )
        })
        .filter(|(_, lines)| *lines > MAX_LINES)
        .map(|(f, lines)| format!("{f}: {lines} lines"))
        .collect();
    long.sort();
    assert!(
        long.is_empty(),
        "over {MAX_LINES} lines (split by job):\n{}",
        long.join("\n")
    );
}
