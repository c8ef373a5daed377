//! The account and folder tree arrived: first run goes to setup, the first run of a session
//! opens the first INBOX and reads what a crash left, and a password asked for before the tree
//! was known is asked now.

use iced::Task;

use super::app::{App, Message, ctx};
use super::data::Tree;
use super::screen::compose::Writing;

impl App {
    /// Takes in a newly read tree.
    pub(super) fn tree_loaded(&mut self, tree: Tree) -> Task<Message> {
        let then = self.after_tree(tree);
        let asked = match self.prompts.waiting {
            Some((account, refused)) => {
                self.prompts.waiting = None;
                self.ask_password(account, refused)
            }
            None => Task::none(),
        };
        let launched = self.launch_pending();
        Task::batch([then, asked, launched])
    }

    fn after_tree(&mut self, tree: Tree) -> Task<Message> {
        self.tree = tree;
        if self.tree.accounts.is_empty() && self.setup.is_none() {
            // First run: nothing to show but the way to add an account.
            return self.start_setup();
        }
        if !self.launch.started {
            // Once per run: drafts a crash left unsent, and the outbox's state.
            self.launch.started = true;
            let first = self.tree.accounts.first().and_then(|(_, f)| f.first());
            let open = match (self.mail.folder, first) {
                (None, Some(f)) => {
                    let id = f.id;
                    self.open_folder(id)
                }
                _ => Task::none(),
            };
            let unsent = self.writing_action(Writing::read_unsent(ctx!(self)));
            let outbox = self.writing_action(Writing::read_outbox(ctx!(self)));
            return Task::batch([open, unsent, outbox]);
        }
        // Open the first account's INBOX when nothing is open yet.
        if self.mail.folder.is_none()
            && let Some(first) = self.tree.accounts.first().and_then(|(_, f)| f.first())
        {
            let id = first.id;
            return self.open_folder(id);
        }
        Task::none()
    }
}
