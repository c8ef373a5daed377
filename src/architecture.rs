//! The shape the README promises, checked over the source: the floors point down, a message
//! enters the store one way, no module circle inside the engine or the UI, no file too long.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Result<T> = std::result::Result<T, String>;

/// The longest a source file may grow before it wants splitting.
const LONGEST_FILE: usize = 800;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, recursively, sorted.
fn rust_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| format!("reading {}: {e}", d.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// A file's code without its test module (tests may reach anywhere).
fn code(path: &Path) -> Result<String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    Ok(match text.find("#[cfg(test)]") {
        Some(at) => text[..at].to_owned(),
        None => text,
    })
}

/// The names a path segment list brings in: `x`, or each first segment of `{a, b::c}`.
fn named(after: &str) -> Vec<String> {
    let after = after.trim_start();
    if let Some(group) = after.strip_prefix('{') {
        let mut depth = 1;
        let end = group
            .char_indices()
            .find(|(_, c)| {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map_or(group.len(), |(i, _)| i);
        let mut names = Vec::new();
        let mut depth = 0;
        let mut item = String::new();
        for c in group[..end].chars() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    names.push(std::mem::take(&mut item));
                    continue;
                }
                _ => {}
            }
            item.push(c);
        }
        names.push(item);
        names
            .iter()
            .filter_map(|n| n.split("::").next().map(|s| s.trim().to_owned()))
            .filter(|s| !s.is_empty())
            .collect()
    } else {
        let name: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        vec![name]
    }
}

/// What each direct module of `floor` (a folder under src) uses of its siblings, by `super::`
/// in its own files and `crate::<floor>::` anywhere inside it; names re-exported by the floor's
/// mod.rs count as the module that defines them.
fn uses(floor: &str) -> Result<BTreeMap<String, BTreeSet<String>>> {
    let dir = src().join(floor);
    let mut modules = BTreeMap::<String, BTreeSet<String>>::new();
    for entry in std::fs::read_dir(&dir).map_err(|e| format!("reading {}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if stem != "mod" && (path.is_dir() || path.extension().is_some_and(|e| e == "rs")) {
            modules.insert(stem, BTreeSet::new());
        }
    }
    let mut reexported = BTreeMap::new();
    let root = code(&dir.join("mod.rs"))?;
    for line in root.split(';') {
        let line = line.trim();
        let Some(rest) = line
            .strip_prefix("pub use ")
            .or_else(|| line.strip_prefix("pub(crate) use "))
        else {
            continue;
        };
        if let Some((module, items)) = rest.split_once("::")
            && modules.contains_key(module)
        {
            for item in named(items) {
                reexported.insert(item, module.to_owned());
            }
        }
    }
    let prefix = format!("crate::{floor}::");
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    for module in &names {
        let file = dir.join(format!("{module}.rs"));
        let files = if file.exists() {
            vec![file]
        } else {
            rust_files(&dir.join(module))?
        };
        for file in files {
            let text = code(&file)?;
            // `super::` names this floor's modules from a file directly in it, or from the
            // mod.rs of a module folder; deeper, it names the folder's own.
            let direct = file.parent() == Some(dir.as_path())
                || (file.file_name().is_some_and(|n| n == "mod.rs")
                    && file.parent().and_then(Path::parent) == Some(dir.as_path()));
            let mut found = BTreeSet::new();
            for (marker, allowed) in [("super::", direct), (prefix.as_str(), true)] {
                if !allowed {
                    continue;
                }
                for (at, _) in text.match_indices(marker) {
                    // `super::super::` and the like are not this floor's siblings.
                    if marker == "super::" && text[..at].ends_with("super::") {
                        continue;
                    }
                    for item in named(&text[at + marker.len()..]) {
                        if names.contains(&item) {
                            found.insert(item);
                        } else if let Some(m) = reexported.get(&item) {
                            found.insert(m.clone());
                        }
                    }
                }
            }
            found.remove(module);
            modules.entry(module.clone()).or_default().extend(found);
        }
    }
    Ok(modules)
}

/// A circle in the graph, if there is one, as the modules along it.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        done: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, done, path) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut done, &mut Vec::new()))
}

#[test]
fn no_module_circle_inside_the_engine() -> Result<()> {
    let graph = uses("engine")?;
    assert!(
        graph.len() > 10,
        "the engine's modules were found: {graph:?}"
    );
    assert!(
        graph["router"].contains("account"),
        "the router's uses were read"
    );
    if let Some(found) = circle(&graph) {
        return Err(format!("engine modules in a circle: {}", found.join(" → ")));
    }
    Ok(())
}

#[test]
fn no_module_circle_inside_the_window() -> Result<()> {
    let graph = uses("ui")?;
    assert!(
        graph["app"].contains("screen"),
        "the window's uses were read: {graph:?}"
    );
    if let Some(found) = circle(&graph) {
        return Err(format!("ui modules in a circle: {}", found.join(" → ")));
    }
    Ok(())
}

#[test]
fn the_circle_finder_finds_one() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
    .collect();
    assert_eq!(
        circle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(named("{a, b::{c, d}, e as f}"), ["a", "b", "e as f"]);
}

#[test]
fn accounts_import_nothing_from_the_engine() -> Result<()> {
    for file in rust_files(&src().join("accounts"))? {
        let text = code(&file)?;
        assert!(
            !text.contains("crate::engine"),
            "{} reaches up into the engine",
            file.display()
        );
    }
    Ok(())
}

#[test]
fn only_ingest_puts_a_message_in_the_store() -> Result<()> {
    let ingest = src().join("engine").join("ingest.rs");
    let store = src().join("store");
    for file in rust_files(&src())? {
        // The store's own code, its tests' fixtures, and this list of the calls themselves.
        let test_module = file.file_name().is_some_and(|n| n == "tests.rs");
        if file == ingest
            || file.starts_with(&store)
            || test_module
            || file.ends_with("architecture.rs")
        {
            continue;
        }
        let text = code(&file)?;
        for call in ["messages::insert(", "bodies::put("] {
            assert!(
                !text.contains(call),
                "{} calls {call}: messages enter the store through engine::ingest only",
                file.display()
            );
        }
    }
    Ok(())
}

#[test]
fn no_screen_imports_the_window() -> Result<()> {
    let screens = rust_files(&src().join("ui").join("screen"))?;
    assert!(!screens.is_empty(), "the screens were found");
    for file in screens {
        let text = code(&file)?;
        for reach in ["ui::app", "super::app", "&App", "&mut App"] {
            assert!(
                !text.contains(reach),
                "{} reaches the window ({reach}): a screen sees only its state and the context",
                file.display()
            );
        }
    }
    Ok(())
}

#[test]
fn no_source_file_wants_splitting() -> Result<()> {
    let long: Vec<String> = rust_files(&src())?
        .into_iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(&f).ok()?.lines().count();
            (lines > LONGEST_FILE).then(|| format!("{} ({lines} lines)", f.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "over {LONGEST_FILE} lines: {}",
        long.join(", ")
    );
    Ok(())
}

#[test]
fn the_windows_update_only_routes() -> Result<()> {
    let text = code(&src().join("ui").join("app.rs"))?;
    let start = text
        .find("    pub fn update(&mut self, message: Message)")
        .ok_or("App::update was not found")?;
    let lines = text[start..]
        .lines()
        .position(|l| l == "    }")
        .ok_or("App::update has no end")?
        + 1;
    assert!(
        lines <= 100,
        "App::update is {lines} lines: a screen's or a part's messages belong in its own update"
    );
    Ok(())
}

#[test]
fn the_window_holds_its_screens_and_little_else() -> Result<()> {
    let text = code(&src().join("ui").join("app.rs"))?;
    let start = text
        .find("pub struct App {")
        .ok_or("struct App was not found")?;
    let body = text[start..]
        .split_once("\n}")
        .ok_or("struct App has no end")?
        .0;
    let fields = body
        .lines()
        .filter(|l| l.starts_with("    ") && !l.trim_start().starts_with("//") && l.contains(':'))
        .count();
    assert!(fields > 5, "the fields were found ({fields})");
    assert!(
        fields <= 15,
        "App has {fields} fields: what belongs together goes in a part of its own"
    );
    Ok(())
}

#[test]
fn only_the_window_changes_the_window() -> Result<()> {
    let files = rust_files(&src().join("ui"))?;
    let app = src().join("ui").join("app.rs");
    assert!(files.contains(&app), "app.rs was found");
    for file in files.into_iter().filter(|f| *f != app) {
        let text = code(&file)?;
        for reach in ["impl App", "&mut App", "&mut app::App"] {
            assert!(
                !text.contains(reach),
                "{} has `{reach}`: a part answers with an Action and app.rs does it",
                file.display()
            );
        }
    }
    Ok(())
}
