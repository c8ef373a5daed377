//! The composer's state: who it is from, address chips, subject, body, attachments, and when
//! it was last saved. It never writes anything itself: it tells the window what to ask the
//! engine (save the draft, send it) through `Effect`s.

use std::path::PathBuf;

use iced::widget::text_editor;
use lettre::message::Mailbox;

use crate::mime::compose;
use crate::store::drafts::{Draft, DraftAttachment};

/// How often autosaves also file a copy in the server's Drafts (as Thunderbird's default):
/// each copy is the whole message with its attachments, so every pause in typing would
/// upload them all again.
pub const FILE_EVERY: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// Warn above this much in attachments: many servers refuse bigger messages.
pub const LARGE_ATTACHMENTS: usize = 25 * 1024 * 1024;

/// One of the address fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddrField {
    /// To.
    To,
    /// Cc.
    Cc,
    /// Bcc.
    Bcc,
}

/// What the user did in the composer.
#[derive(Debug, Clone)]
pub enum Edit {
    /// Send from this account.
    From(i64),
    /// Typing in an address field.
    AddrInput(AddrField, String),
    /// Enter in an address field: what was typed becomes chips.
    AddrCommit(AddrField),
    /// A completion was chosen.
    AddrPick(AddrField, String),
    /// A chip's × was clicked.
    AddrRemove(AddrField, usize),
    /// Show the Cc and Bcc fields.
    ShowCcBcc,
    /// Typing in the subject.
    Subject(String),
    /// An edit in the body.
    Body(text_editor::Action),
    /// Files were chosen or dropped: their contents, read off the UI thread.
    Attached(Vec<DraftAttachment>),
    /// An attachment's × was clicked.
    RemoveAttachment(usize),
}

/// What the window must do after an edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Nothing.
    None,
    /// Save the draft after a quiet moment (the generation to check then).
    SaveSoon(u64),
}

/// One message being written.
#[derive(Debug)]
pub struct Composer {
    /// The draft as last built (ids, kind, threading headers).
    pub draft: Draft,
    /// Chips per field.
    pub to: Vec<Mailbox>,
    /// Cc chips.
    pub cc: Vec<Mailbox>,
    /// Bcc chips.
    pub bcc: Vec<Mailbox>,
    /// Text typed in each address field, not yet a chip.
    pub typing: [String; 3],
    /// Cc and Bcc shown.
    pub show_cc_bcc: bool,
    /// Subject.
    pub subject: String,
    /// Body.
    pub body: text_editor::Content,
    /// Attachments.
    pub attachments: Vec<DraftAttachment>,
    /// Bumped by every edit.
    pub generation: u64,
    /// The generation last handed to the engine to save.
    pub saved_generation: u64,
    /// A save is in flight (a new draft must not be inserted twice).
    pub saving: bool,
    /// Bumped when an attachment is added or removed.
    pub attachments_generation: u64,
    /// The attachments generation the store holds (None: not stored yet), so an autosave
    /// that only carries new words leaves the attachment bytes alone.
    pub attachments_stored: Option<u64>,
    /// The attachments generation the save in flight carries, if it carries them.
    pub attachments_in_flight: Option<u64>,
    /// When a copy for the server's Drafts was last asked for: autosaves file one at most
    /// every `FILE_EVERY`; closing the composer always does.
    pub filed_at: std::time::Instant,
    /// A save that files a server copy was asked for while another save was in flight.
    pub file_wanted: bool,
    /// Send once the save in flight lands.
    pub send_after_save: bool,
    /// Why it cannot be sent or saved, in words.
    pub error: Option<String>,
}

fn slot(field: AddrField) -> usize {
    match field {
        AddrField::To => 0,
        AddrField::Cc => 1,
        AddrField::Bcc => 2,
    }
}

fn chips(text: &str) -> Vec<Mailbox> {
    compose::parse_addresses("To", text).unwrap_or_default()
}

impl Composer {
    /// A composer over `draft` (new, a reply, a forward or a recovered one).
    pub fn open(mut draft: Draft, attachments: Vec<DraftAttachment>, sender: &str) -> Composer {
        if draft.rfc_message_id.is_empty() {
            // Set here so the engine's "saved" answer can be matched to this composer.
            draft.rfc_message_id = compose::new_message_id(sender);
        }
        let body = text_editor::Content::with_text(&draft.body_text);
        Composer {
            to: chips(&draft.to_addrs),
            cc: chips(&draft.cc_addrs),
            bcc: chips(&draft.bcc_addrs),
            typing: Default::default(),
            show_cc_bcc: !draft.cc_addrs.is_empty() || !draft.bcc_addrs.is_empty(),
            subject: draft.subject.clone(),
            body,
            attachments,
            generation: 0,
            saved_generation: 0,
            saving: false,
            attachments_generation: 0,
            // A stored draft's attachments are in the store already.
            attachments_stored: (draft.id != 0).then_some(0),
            attachments_in_flight: None,
            filed_at: std::time::Instant::now(),
            file_wanted: false,
            send_after_save: false,
            error: None,
            draft,
        }
    }

    /// An empty message from `account`.
    pub fn blank(account: i64, sender: &str) -> Composer {
        Composer::open(Draft::new(account), Vec::new(), sender)
    }

    /// The chips of a field.
    pub fn field(&self, f: AddrField) -> &[Mailbox] {
        match f {
            AddrField::To => &self.to,
            AddrField::Cc => &self.cc,
            AddrField::Bcc => &self.bcc,
        }
    }

    fn field_mut(&mut self, f: AddrField) -> &mut Vec<Mailbox> {
        match f {
            AddrField::To => &mut self.to,
            AddrField::Cc => &mut self.cc,
            AddrField::Bcc => &mut self.bcc,
        }
    }

    /// What is typed in a field and not yet a chip.
    pub fn typed(&self, f: AddrField) -> &str {
        &self.typing[slot(f)]
    }

    /// Turns what is typed into chips; what does not parse stays typed (and blocks sending).
    fn commit(&mut self, f: AddrField) {
        let text = self.typing[slot(f)]
            .trim()
            .trim_end_matches([',', ';'])
            .to_owned();
        if text.is_empty() {
            self.typing[slot(f)].clear();
            return;
        }
        if let Ok(list) = compose::parse_addresses("To", &text.replace(';', ",")) {
            for m in list {
                let list = self.field_mut(f);
                if !list.iter().any(|x| x.email == m.email) {
                    list.push(m);
                }
            }
            self.typing[slot(f)].clear();
        }
    }

    /// Applies an edit; every edit schedules a save.
    pub fn apply(&mut self, edit: Edit) -> Effect {
        match edit {
            Edit::From(account) => self.draft.account_id = account,
            Edit::AddrInput(f, text) => {
                let done = text.ends_with([',', ';']);
                self.typing[slot(f)] = text;
                if done {
                    self.commit(f);
                }
            }
            Edit::AddrCommit(f) => self.commit(f),
            Edit::AddrPick(f, address) => {
                self.typing[slot(f)] = address;
                self.commit(f);
            }
            Edit::AddrRemove(f, i) => {
                let list = self.field_mut(f);
                if i < list.len() {
                    list.remove(i);
                }
            }
            Edit::ShowCcBcc => {
                self.show_cc_bcc = true;
                return Effect::None;
            }
            Edit::Subject(s) => self.subject = s.replace(['\r', '\n'], " "),
            Edit::Body(action) => {
                let edits = action.is_edit();
                self.body.perform(action);
                if !edits {
                    return Effect::None;
                }
            }
            Edit::Attached(files) => {
                self.attachments.extend(files);
                self.attachments_generation += 1;
            }
            Edit::RemoveAttachment(i) => {
                if i < self.attachments.len() {
                    self.attachments.remove(i);
                    self.attachments_generation += 1;
                }
            }
        }
        self.error = None;
        self.generation += 1;
        Effect::SaveSoon(self.generation)
    }

    /// Whether there are edits the engine has not been asked to save.
    pub fn unsaved(&self) -> bool {
        self.generation != self.saved_generation
    }

    /// Whether nothing was written at all (closing it leaves no draft behind).
    pub fn is_empty(&self) -> bool {
        self.draft.id == 0
            && self.to.is_empty()
            && self.cc.is_empty()
            && self.bcc.is_empty()
            && self.typing.iter().all(|t| t.trim().is_empty())
            && self.subject.trim().is_empty()
            && self.body.text().trim().is_empty()
            && self.attachments.is_empty()
    }

    /// Total attachment size in bytes.
    pub fn attachment_bytes(&self) -> usize {
        self.attachments.iter().map(|a| a.data.len()).sum()
    }

    /// The draft to save now, with what is typed in address fields kept as typed.
    pub fn to_draft(&self) -> Draft {
        let join = |list: &[Mailbox], typed: &str| {
            let mut parts: Vec<String> = list.iter().map(ToString::to_string).collect();
            if !typed.trim().is_empty() {
                parts.push(typed.trim().to_owned());
            }
            parts.join(", ")
        };
        let mut body = self.body.text();
        // The editor's text ends with the line it is on; a saved body keeps one final newline.
        if !body.ends_with('\n') && !body.is_empty() {
            body.push('\n');
        }
        Draft {
            to_addrs: join(&self.to, &self.typing[0]),
            cc_addrs: join(&self.cc, &self.typing[1]),
            bcc_addrs: join(&self.bcc, &self.typing[2]),
            subject: self.subject.clone(),
            body_text: body,
            ..self.draft.clone()
        }
    }

    /// Why this cannot be sent yet (message key), if anything.
    pub fn send_problem(&self) -> Option<&'static str> {
        if self.to.is_empty() && self.cc.is_empty() && self.bcc.is_empty() {
            return Some("compose-no-recipient");
        }
        if self.typing.iter().any(|t| !t.trim().is_empty()) {
            return Some("compose-bad-address");
        }
        None
    }

    /// The engine saved this draft as `id`; returns whether another save is due.
    pub fn saved(&mut self, id: i64) -> bool {
        self.draft.id = id;
        self.saving = false;
        if let Some(generation) = self.attachments_in_flight.take() {
            self.attachments_stored = Some(generation);
        }
        self.unsaved() || self.file_wanted
    }

    /// The attachments a save must carry: None when the store already holds these, so an
    /// autosave of new words does not write (or copy) megabytes again.
    pub fn attachments_to_save(&mut self) -> Option<Vec<DraftAttachment>> {
        if self.draft.id != 0 && self.attachments_stored == Some(self.attachments_generation) {
            return None;
        }
        self.attachments_in_flight = Some(self.attachments_generation);
        Some(self.attachments.clone())
    }
}

/// Reads picked or dropped files into attachments (blocking: call it off the UI thread).
pub fn read_files(paths: &[PathBuf]) -> Result<Vec<DraftAttachment>, super::failure::Failure> {
    paths
        .iter()
        .map(|p| {
            let data = std::fs::read(p).map_err(|e| super::failure::Failure::file(p, &e))?;
            let file_name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "attachment".into());
            Ok(DraftAttachment {
                mime_type: crate::mime::attachments::mime_for(&file_name).to_owned(),
                file_name,
                content_id: String::new(),
                data,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_addresses_become_chips_and_bad_ones_block_sending() {
        let mut c = Composer::blank(1, "me@163.com");
        assert_eq!(c.send_problem(), Some("compose-no-recipient"));
        c.apply(Edit::AddrInput(
            AddrField::To,
            "李四 <lisi@126.com>,".into(),
        ));
        assert_eq!(c.to.len(), 1);
        assert!(c.typed(AddrField::To).is_empty());
        c.apply(Edit::AddrInput(AddrField::To, "not an address".into()));
        c.apply(Edit::AddrCommit(AddrField::To));
        assert_eq!(c.typed(AddrField::To), "not an address");
        assert_eq!(c.send_problem(), Some("compose-bad-address"));
        c.apply(Edit::AddrInput(AddrField::To, String::new()));
        c.apply(Edit::AddrPick(AddrField::To, "lisi@126.com".into()));
        assert_eq!(c.to.len(), 1, "no chip twice");
        assert_eq!(c.send_problem(), None);
        c.apply(Edit::AddrRemove(AddrField::To, 0));
        assert!(c.to.is_empty());
    }

    #[test]
    fn every_edit_is_a_new_generation_to_save() {
        let mut c = Composer::blank(1, "me@163.com");
        assert!(c.is_empty());
        assert!(!c.draft.rfc_message_id.is_empty());
        assert_eq!(c.apply(Edit::Subject("报告".into())), Effect::SaveSoon(1));
        assert_eq!(
            c.apply(Edit::Body(text_editor::Action::Edit(
                text_editor::Edit::Insert('你')
            ))),
            Effect::SaveSoon(2)
        );
        assert_eq!(
            c.apply(Edit::Body(text_editor::Action::SelectAll)),
            Effect::None,
            "moving around is not an edit"
        );
        assert!(c.unsaved());
        let d = c.to_draft();
        assert_eq!(d.subject, "报告");
        assert_eq!(d.body_text, "你\n");
        assert!(!c.is_empty());
    }

    #[test]
    fn file_types_follow_the_extension() {
        use crate::mime::attachments::mime_for;
        assert_eq!(mime_for("报告.PDF"), "application/pdf");
        assert_eq!(mime_for("noext"), "application/octet-stream");
    }
}
