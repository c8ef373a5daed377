//! The folder list: LIST mirrored into the store, names shown without the personal namespace
//! prefix (RFC 2342), and one folder per role, assigned the same way at every sync.

use std::collections::{HashMap, HashSet};

use async_imap::types::{Capabilities, Name, NameAttribute};
use futures::TryStreamExt;

use super::errors::EngineError;
use super::idle::drain;
use super::{Context, Event};
use crate::protocols::imap::{self, ImapSession, namespace::Namespace, utf7};
use crate::store::accounts::Account;
use crate::store::folders::{self, Folder, Role};

/// Well-known folder names, for servers without SPECIAL-USE (lower case, last path part). A
/// name earlier in a role's list wins over a later one.
const ROLE_NAMES: &[(Role, &[&str])] = &[
    (
        Role::Sent,
        &[
            "sent",
            "sent messages",
            "sent items",
            "sent mail",
            "已发送",
            "已发送邮件",
            "已傳送",
            "gesendet",
            "gesendete objekte",
            "envoyés",
            "éléments envoyés",
            "enviados",
        ],
    ),
    (
        Role::Drafts,
        &[
            "drafts",
            "draft",
            "草稿箱",
            "草稿",
            "entwürfe",
            "brouillons",
            "borradores",
        ],
    ),
    (
        Role::Trash,
        &[
            "trash",
            "deleted",
            "deleted items",
            "deleted messages",
            "bin",
            "已删除",
            "已删除邮件",
            "papierkorb",
            "corbeille",
            "papelera",
        ],
    ),
    (
        Role::Junk,
        &[
            "junk",
            "spam",
            "junk e-mail",
            "junk email",
            "bulk mail",
            "垃圾邮件",
            "垃圾箱",
            "indésirables",
            "correo no deseado",
        ],
    ),
    (
        Role::Archive,
        &["archive", "archives", "归档", "存档", "archiv"],
    ),
];

/// The role a SPECIAL-USE attribute (RFC 6154) declares, in any letter case (Cyrus sends
/// `\sent`, which the parser leaves as an extension).
fn declared_role(attrs: &[NameAttribute<'_>]) -> Option<Role> {
    attrs.iter().find_map(|attr| match attr {
        NameAttribute::Sent => Some(Role::Sent),
        NameAttribute::Drafts => Some(Role::Drafts),
        NameAttribute::Trash => Some(Role::Trash),
        NameAttribute::Junk => Some(Role::Junk),
        NameAttribute::Archive => Some(Role::Archive),
        NameAttribute::Extension(other) => match other.to_ascii_lowercase().as_str() {
            "\\sent" => Some(Role::Sent),
            "\\drafts" => Some(Role::Drafts),
            "\\trash" => Some(Role::Trash),
            "\\junk" => Some(Role::Junk),
            "\\archive" => Some(Role::Archive),
            _ => None,
        },
        _ => None,
    })
}

/// The role a shown name suggests, with its rank (lower is a better match).
fn named_role(shown: &str, delimiter: &str) -> Option<(Role, usize)> {
    let last = if delimiter.is_empty() {
        shown
    } else {
        shown.rsplit(delimiter).next().unwrap_or(shown)
    };
    let last = last.to_lowercase();
    ROLE_NAMES.iter().find_map(|(role, names)| {
        names
            .iter()
            .position(|n| *n == last)
            .map(|rank| (*role, rank))
    })
}

/// One LIST entry as the role assignment sees it.
#[derive(Debug, Clone)]
pub(crate) struct Listed {
    /// Exactly as the server spells it.
    pub wire: String,
    /// As shown: modified UTF-7 undone, the personal namespace prefix taken off.
    pub shown: String,
    /// Hierarchy delimiter.
    pub delimiter: String,
    /// The role a SPECIAL-USE attribute declares.
    pub declared: Option<Role>,
}

impl Listed {
    /// Reads a LIST entry in the light of the personal namespace.
    pub fn from_name(name: &Name, namespace: Option<&Namespace>) -> Listed {
        let wire = name.name().to_owned();
        let delimiter = name
            .delimiter()
            .map(str::to_owned)
            .or_else(|| namespace.map(|n| n.delimiter.clone()))
            .unwrap_or_else(|| "/".to_owned());
        Listed {
            shown: shown_name(&wire, namespace),
            wire,
            delimiter,
            declared: declared_role(name.attributes()),
        }
    }
}

/// The name a folder is shown with: INBOX as INBOX, others decoded and without the personal
/// namespace's prefix (`INBOX.Sent` on Courier and Cyrus is shown as `Sent`).
pub(crate) fn shown_name(wire: &str, namespace: Option<&Namespace>) -> String {
    if wire.eq_ignore_ascii_case("INBOX") {
        return "INBOX".to_owned();
    }
    let local = namespace
        .filter(|n| !n.prefix.is_empty())
        .and_then(|n| strip_prefix_ignoring_inbox_case(wire, &n.prefix))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(wire);
    utf7::decode(local)
}

/// `wire` without `prefix`, where an `INBOX` at the start matches in any case (RFC 3501 §5.1).
fn strip_prefix_ignoring_inbox_case<'a>(wire: &'a str, prefix: &str) -> Option<&'a str> {
    if let Some(rest) = wire.strip_prefix(prefix) {
        return Some(rest);
    }
    let head = wire.get(..prefix.len())?;
    (prefix.len() > 5
        && head[..5].eq_ignore_ascii_case("INBOX")
        && prefix[..5].eq_ignore_ascii_case("INBOX")
        && head[5..] == prefix[5..])
        .then(|| &wire[prefix.len()..])
}

/// One role per folder and one folder per role. First the roles the server declares
/// (SPECIAL-USE); then, for roles still free, the best-matching name. Among equals the folder
/// that has the role now keeps it, else the first listed, so the result never flips between
/// syncs. `chosen` are the user's own choices (wire name → role) and come before all else.
pub(crate) fn assign_roles(
    listed: &[Listed],
    current: &HashMap<String, Role>,
    chosen: &HashMap<String, Role>,
) -> Vec<Role> {
    let mut roles = vec![Role::Other; listed.len()];
    let mut taken: HashSet<Role> = HashSet::new();
    for (i, l) in listed.iter().enumerate() {
        if l.wire.eq_ignore_ascii_case("INBOX") {
            roles[i] = Role::Inbox;
            taken.insert(Role::Inbox);
        }
    }
    for (i, l) in listed.iter().enumerate() {
        if let Some(role) = chosen.get(&l.wire).copied()
            && roles[i] == Role::Other
            && role != Role::Inbox
            && taken.insert(role)
        {
            roles[i] = role;
        }
    }
    // Pass 1: declared roles; pass 2: names. Each pass picks, per role, the best candidate.
    for pass in 0..2 {
        let mut best: HashMap<Role, (usize, (usize, bool, usize))> = HashMap::new();
        for (i, l) in listed.iter().enumerate() {
            if roles[i] != Role::Other {
                continue;
            }
            let candidate = if pass == 0 {
                l.declared.map(|r| (r, 0))
            } else {
                named_role(&l.shown, &l.delimiter)
            };
            let Some((role, rank)) = candidate else {
                continue;
            };
            if taken.contains(&role) {
                continue;
            }
            let holder = current.get(&l.wire) == Some(&role);
            // Lower sorts first: better name, then the current holder, then LIST order.
            let key = (rank, !holder, i);
            match best.get(&role) {
                Some((_, k)) if *k <= key => {}
                _ => {
                    best.insert(role, (i, key));
                }
            }
        }
        for (role, (i, _)) in best {
            roles[i] = role;
            taken.insert(role);
        }
    }
    roles
}

/// The personal namespace, when the server has NAMESPACE; None otherwise or on a failure (the
/// names are then shown as the server spells them).
pub(crate) async fn personal_namespace(
    session: &mut ImapSession,
    caps: &Capabilities,
) -> Option<Namespace> {
    if !caps.has_str("NAMESPACE") {
        return None;
    }
    match imap::namespace::personal(session).await {
        Ok(ns) => ns,
        Err(e) => {
            tracing::warn!(error = %e, "NAMESPACE failed; folder names are shown as listed");
            None
        }
    }
}

/// Every folder the server lists.
pub(crate) async fn list_all(session: &mut ImapSession) -> Result<Vec<Name>, EngineError> {
    session
        .list(Some(""), Some("*"))
        .await
        .map_err(|e| EngineError::imap("listing folders", e))?
        .try_collect()
        .await
        .map_err(|e| EngineError::imap("listing folders", e))
}

/// Mirrors the server's folder list into the store; returns the account's folders.
pub(crate) async fn sync_folder_list(
    ctx: &Context,
    session: &mut ImapSession,
    caps: &Capabilities,
    account: &Account,
) -> Result<Vec<Folder>, EngineError> {
    let namespace = personal_namespace(session, caps).await;
    let names = list_all(session).await?;
    drain(session);
    let entries: Vec<(Listed, bool)> = names
        .iter()
        .map(|name| {
            let selectable = !name
                .attributes()
                .iter()
                .any(|a| matches!(a, NameAttribute::NoSelect));
            (Listed::from_name(name, namespace.as_ref()), selectable)
        })
        .collect();
    let id = account.id;
    let (folders, changed) = ctx
        .store
        .writer()
        .write(move |tx| {
            let before = folders::list(tx, id)?;
            let current: HashMap<String, Role> = before
                .iter()
                .filter(|f| f.source == folders::Origin::Imap)
                .map(|f| (f.wire_name.clone(), f.role))
                .collect();
            let chosen = folders::chosen_roles(tx, id)?;
            let listed: Vec<Listed> = entries.iter().map(|(l, _)| l.clone()).collect();
            let roles = assign_roles(&listed, &current, &chosen);
            let mut changed = false;
            let mut keep = HashSet::new();
            for ((l, selectable), role) in entries.iter().zip(roles) {
                let mut folder = Folder::new_imap(id, &l.shown, &l.wire, role);
                folder.delimiter = l.delimiter.clone();
                folder.selectable = *selectable;
                let (fid, c) = folders::upsert_from_server(tx, &folder)?;
                changed |= c;
                keep.insert(fid);
            }
            for old in before {
                if old.source == folders::Origin::Imap && !keep.contains(&old.id) {
                    folders::delete(tx, old.id)?;
                    changed = true;
                }
            }
            Ok((folders::list(tx, id)?, changed))
        })
        .await?;
    if changed {
        ctx.emit(Event::FoldersChanged { account: id });
    }
    Ok(folders)
}

/// The Sent folder of a listing not yet mirrored (sending before the first sync).
pub(crate) fn sent_of(names: &[Name], namespace: Option<&Namespace>) -> Option<String> {
    let listed: Vec<Listed> = names
        .iter()
        .map(|n| Listed::from_name(n, namespace))
        .collect();
    let roles = assign_roles(&listed, &HashMap::new(), &HashMap::new());
    listed
        .into_iter()
        .zip(roles)
        .find(|(_, r)| *r == Role::Sent)
        .map(|(l, _)| l.wire)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(wire: &str, declared: Option<Role>) -> Listed {
        let ns = Namespace {
            prefix: "INBOX.".into(),
            delimiter: ".".into(),
        };
        Listed {
            wire: wire.to_owned(),
            shown: shown_name(wire, Some(&ns)),
            delimiter: ".".into(),
            declared,
        }
    }

    fn roles_of(list: &[Listed], current: &[(&str, Role)]) -> Vec<Role> {
        let current = current.iter().map(|(w, r)| ((*w).to_owned(), *r)).collect();
        assign_roles(list, &current, &HashMap::new())
    }

    #[test]
    fn special_use_beats_a_name_listed_first() {
        let list = [
            listed("INBOX", None),
            listed("INBOX.&XfJT0ZAB-", None),
            listed("INBOX.Sent", Some(Role::Sent)),
        ];
        assert_eq!(roles_of(&list, &[]), [Role::Inbox, Role::Other, Role::Sent]);
        // Even when the localised one holds the role from an earlier, wrong assignment.
        assert_eq!(
            roles_of(&list, &[("INBOX.&XfJT0ZAB-", Role::Sent)]),
            [Role::Inbox, Role::Other, Role::Sent]
        );
    }

    #[test]
    fn names_are_stable_whatever_the_list_order() {
        let a = [listed("INBOX.&XfJT0ZAB-", None), listed("INBOX.Sent", None)];
        let b = [listed("INBOX.Sent", None), listed("INBOX.&XfJT0ZAB-", None)];
        assert_eq!(roles_of(&a, &[]), [Role::Other, Role::Sent]);
        assert_eq!(roles_of(&b, &[]), [Role::Sent, Role::Other]);
        // Two names of the same rank: the current holder keeps it, else the first listed.
        let c = [listed("INBOX.Spam", None), listed("INBOX.Junk", None)];
        assert_eq!(roles_of(&c, &[]), [Role::Other, Role::Junk]);
        let d = [listed("INBOX.Work.Sent", None), listed("INBOX.Sent", None)];
        assert_eq!(roles_of(&d, &[]), [Role::Sent, Role::Other]);
        assert_eq!(
            roles_of(&d, &[("INBOX.Sent", Role::Sent)]),
            [Role::Other, Role::Sent]
        );
    }

    #[test]
    fn the_users_choice_comes_first() {
        let list = [
            listed("INBOX.Sent", Some(Role::Sent)),
            listed("INBOX.Outgoing", None),
        ];
        let chosen = HashMap::from([("INBOX.Outgoing".to_owned(), Role::Sent)]);
        assert_eq!(
            assign_roles(&list, &HashMap::new(), &chosen),
            [Role::Other, Role::Sent]
        );
    }

    #[test]
    fn declared_roles_ignore_letter_case() {
        assert_eq!(
            declared_role(&[NameAttribute::Extension("\\sent".into())]),
            Some(Role::Sent)
        );
        assert_eq!(
            declared_role(&[NameAttribute::Extension("\\JUNK".into())]),
            Some(Role::Junk)
        );
        assert_eq!(declared_role(&[NameAttribute::Marked]), None);
    }

    #[test]
    fn names_come_from_the_last_part_in_every_language() {
        assert_eq!(named_role("已发送", "/").map(|r| r.0), Some(Role::Sent));
        assert_eq!(named_role("草稿箱", "/").map(|r| r.0), Some(Role::Drafts));
        assert_eq!(named_role("已删除", "/").map(|r| r.0), Some(Role::Trash));
        assert_eq!(named_role("垃圾邮件", "/").map(|r| r.0), Some(Role::Junk));
        assert_eq!(
            named_role("Work.Sent Items", ".").map(|r| r.0),
            Some(Role::Sent)
        );
        assert_eq!(named_role("Projects", "/"), None);
    }

    #[test]
    fn the_personal_prefix_is_not_shown() {
        let ns = Namespace {
            prefix: "INBOX.".into(),
            delimiter: ".".into(),
        };
        assert_eq!(shown_name("INBOX", Some(&ns)), "INBOX");
        assert_eq!(shown_name("INBOX.Sent", Some(&ns)), "Sent");
        assert_eq!(shown_name("inbox.Sent", Some(&ns)), "Sent");
        assert_eq!(shown_name("INBOX.&XfJT0ZAB-", Some(&ns)), "已发送");
        assert_eq!(shown_name("INBOX.Work.2026", Some(&ns)), "Work.2026");
        // Outside the personal namespace (shared folders) the name stays whole.
        assert_eq!(shown_name("shared.Team", Some(&ns)), "shared.Team");
        assert_eq!(shown_name("Sent", None), "Sent");
    }
}
