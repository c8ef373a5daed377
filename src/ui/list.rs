//! The message list's state: a window onto a folder of any size. Only the rows near the
//! viewport are held (read a page at a time), only the visible ones are drawn, and the
//! selection is a set of ids so it survives paging.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::store::conversations::Summary;
use crate::store::messages::Envelope;

/// Every row is this tall, so a scroll offset maps to a row index without measuring.
pub const ROW_HEIGHT: f32 = 74.0;
/// Rows read per page.
pub const PAGE: u32 = 200;
/// Pages kept beyond the visible ones, each way; farther pages are dropped.
const KEEP: u32 = 2;

/// How a click on a row extends the selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Extend {
    /// A plain click: this row alone.
    #[default]
    Replace,
    /// Ctrl (Cmd) click: add or remove this row.
    Toggle,
    /// Shift click: everything from the last clicked row to this one.
    Range,
}

/// One open folder's list.
#[derive(Debug, Clone, Default)]
pub struct MessageList {
    /// The folder shown.
    pub folder: Option<i64>,
    /// Visible messages in it.
    pub total: u32,
    /// Rows held, by position (newest first).
    rows: BTreeMap<u32, Envelope>,
    /// Pages being read.
    loading: HashSet<u32>,
    /// Scroll offset of the viewport's top, in pixels.
    pub offset: f32,
    /// Viewport height in pixels (before the first scroll event, a guess).
    pub height: f32,
    /// Selected message ids.
    pub selected: BTreeSet<i64>,
    /// Position of the row a Shift-click extends from.
    anchor: Option<u32>,
    /// Whether a page has arrived, so `total` is known.
    known: bool,
    /// Rows taken out at once (archive, delete) whose change has not landed in the store yet:
    /// a page read before it lands still has them, and would bring them back for a moment.
    removing: HashSet<i64>,
    /// In conversation mode, each held row's conversation, by the row's id.
    summaries: HashMap<i64, Summary>,
}

impl MessageList {
    /// An empty list for `folder`, waiting for its first page.
    pub fn open(folder: i64) -> MessageList {
        MessageList {
            folder: Some(folder),
            height: 800.0,
            ..MessageList::default()
        }
    }

    /// The row at a position, if held.
    pub fn get(&self, position: u32) -> Option<&Envelope> {
        self.rows.get(&position)
    }

    /// The row with this id, if held.
    pub fn find(&self, id: i64) -> Option<(u32, &Envelope)> {
        self.rows
            .iter()
            .find(|(_, m)| m.id == id)
            .map(|(p, m)| (*p, m))
    }

    /// A held row by id, to change it in place.
    pub fn find_mut(&mut self, id: i64) -> Option<&mut Envelope> {
        self.rows.values_mut().find(|m| m.id == id)
    }

    /// The conversation a held row stands for (conversation mode only).
    pub fn summary(&self, id: i64) -> Option<&Summary> {
        self.summaries.get(&id)
    }

    /// A held row's conversation, to change it in place.
    pub fn summary_mut(&mut self, id: i64) -> Option<&mut Summary> {
        self.summaries.get_mut(&id)
    }

    /// The messages a row stands for: its conversation's in this folder, or itself.
    pub fn members(&self, id: i64) -> Vec<i64> {
        match self.summaries.get(&id) {
            Some(s) if !s.members.is_empty() => s.members.clone(),
            _ => vec![id],
        }
    }

    /// The summaries of a page that arrived, for the rows held.
    pub fn summarised(&mut self, summaries: Vec<Summary>) {
        for s in summaries {
            if self.find(s.head).is_some() {
                self.summaries.insert(s.head, s);
            }
        }
    }

    /// Every row held, in order (tests and the benchmark read it).
    pub fn held(&self) -> impl Iterator<Item = &Envelope> {
        self.rows.values()
    }

    /// Positions of the rows the viewport shows (end exclusive), plus one row either side.
    pub fn visible(&self) -> std::ops::Range<u32> {
        let first = (self.offset / ROW_HEIGHT).floor().max(0.0) as u32;
        let count = (self.height / ROW_HEIGHT).ceil() as u32 + 2;
        first.saturating_sub(1).min(self.total)..(first + count).min(self.total)
    }

    /// Pages the viewport needs that are neither held nor being read; marks them as being read.
    pub fn wanted_pages(&mut self) -> Vec<u32> {
        if !self.known {
            return if self.loading.insert(0) {
                vec![0]
            } else {
                Vec::new()
            };
        }
        let range = self.visible();
        let mut out = Vec::new();
        for position in range {
            let page = position / PAGE;
            if !self.rows.contains_key(&position) && self.loading.insert(page) {
                out.push(page);
            }
        }
        out
    }

    /// A page arrived: `total` is the folder's count when it was read.
    pub fn page_loaded(&mut self, page: u32, total: u32, rows: Vec<Envelope>) {
        self.loading.remove(&page);
        if rows.iter().any(|m| self.removing.contains(&m.id)) {
            // Read before the removal landed: the list as it stands is truer. The engine's
            // change notice (`landed`) reads it again.
            return;
        }
        self.known = true;
        if total != self.total {
            // The folder changed under us: positions moved, so nothing else held is valid.
            self.rows.clear();
            self.total = total;
        }
        for (i, m) in rows.into_iter().enumerate() {
            self.rows.insert(page * PAGE + i as u32, m);
        }
        // Drop pages far from the viewport so a long scroll does not hold the whole folder.
        let now = self.visible();
        let low = (now.start / PAGE).saturating_sub(KEEP) * PAGE;
        let high = (now.end / PAGE + KEEP + 1) * PAGE;
        self.rows.retain(|p, _| *p >= low && *p < high);
        let held: HashSet<i64> = self.rows.values().map(|m| m.id).collect();
        self.summaries.retain(|id, _| held.contains(id));
    }

    /// The store now has the change to `ids`: pages that hold them are true again.
    pub fn landed(&mut self, ids: &[i64]) {
        for id in ids {
            self.removing.remove(id);
        }
    }

    /// The folder changed: the pages in view are read again (rows stay shown meanwhile).
    pub fn refresh(&mut self) -> Vec<u32> {
        let range = self.visible();
        let pages: Vec<u32> = if self.known && !range.is_empty() {
            (range.start / PAGE..=(range.end - 1) / PAGE).collect()
        } else {
            vec![0]
        };
        self.loading.extend(pages.iter().copied());
        pages
    }

    /// Whether nothing is held and nothing is known to be there.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Changes the selection for a click on `id` at `position`.
    pub fn click(&mut self, id: i64, extend: Extend) {
        let Some((position, _)) = self.find(id) else {
            return;
        };
        match extend {
            Extend::Replace => {
                self.selected.clear();
                self.selected.insert(id);
                self.anchor = Some(position);
            }
            Extend::Toggle => {
                if !self.selected.remove(&id) {
                    self.selected.insert(id);
                }
                self.anchor = Some(position);
            }
            Extend::Range => {
                let from = self.anchor.unwrap_or(position);
                let (a, b) = (from.min(position), from.max(position));
                self.selected = self
                    .rows
                    .range(a..=b)
                    .map(|(_, m)| m.id)
                    .collect::<BTreeSet<_>>();
            }
        }
    }

    /// Takes rows out at once (archive, delete); later rows move up.
    pub fn remove(&mut self, ids: &[i64]) {
        let gone: HashSet<i64> = ids.iter().copied().collect();
        self.removing.extend(gone.iter().copied());
        let kept: Vec<(u32, Envelope)> = std::mem::take(&mut self.rows).into_iter().collect();
        let mut shift = 0u32;
        let mut last = None::<u32>;
        for (position, m) in kept {
            // A gap in held positions breaks the chain: positions past it cannot be shifted
            // reliably, so they are read again.
            if last.is_some_and(|l| position != l + 1) && shift > 0 {
                break;
            }
            last = Some(position);
            if gone.contains(&m.id) {
                shift += 1;
                continue;
            }
            self.rows.insert(position - shift, m);
        }
        self.total = self.total.saturating_sub(shift);
        self.selected.retain(|id| !gone.contains(id));
        self.anchor = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(from: u32, n: u32) -> Vec<Envelope> {
        (from..from + n)
            .map(|i| Envelope {
                id: i64::from(i) + 1,
                subject: format!("m{i}"),
                ..Envelope::default()
            })
            .collect()
    }

    #[test]
    fn only_the_pages_near_the_viewport_are_read_and_held() {
        let mut list = MessageList::open(1);
        assert_eq!(list.wanted_pages(), vec![0]);
        assert!(
            list.wanted_pages().is_empty(),
            "page 0 is being read already"
        );
        list.page_loaded(0, 100_000, rows(0, PAGE));
        // Jump to the middle of 100k rows.
        list.offset = 50_000.0 * ROW_HEIGHT;
        let want = list.wanted_pages();
        assert_eq!(want, vec![249, 250]);
        for p in want {
            list.page_loaded(p, 100_000, rows(p * PAGE, PAGE));
        }
        assert!(list.get(0).is_none(), "far pages are dropped");
        assert_eq!(list.get(50_000).map(|m| m.id), Some(50_001));
        let visible = list.visible();
        assert!(visible.len() < 20, "{visible:?}");
        assert!(list.held().count() <= (2 * KEEP as usize + 2) * PAGE as usize);
    }

    #[test]
    fn a_changed_count_drops_what_was_held() {
        let mut list = MessageList::open(1);
        list.page_loaded(0, 10, rows(0, 10));
        list.page_loaded(0, 9, rows(1, 9));
        assert_eq!(list.total, 9);
        assert_eq!(list.held().count(), 9);
        assert_eq!(list.get(0).map(|m| m.id), Some(2));
    }

    #[test]
    fn shift_and_ctrl_clicks_select_ranges_and_single_rows() {
        let mut list = MessageList::open(1);
        list.page_loaded(0, 10, rows(0, 10));
        list.click(3, Extend::Replace);
        list.click(6, Extend::Range);
        assert_eq!(
            list.selected.iter().copied().collect::<Vec<_>>(),
            [3, 4, 5, 6]
        );
        list.click(5, Extend::Toggle);
        list.click(9, Extend::Toggle);
        assert_eq!(
            list.selected.iter().copied().collect::<Vec<_>>(),
            [3, 4, 6, 9]
        );
        list.click(1, Extend::Replace);
        assert_eq!(list.selected.iter().copied().collect::<Vec<_>>(), [1]);
    }

    #[test]
    fn removed_rows_close_the_gap() {
        let mut list = MessageList::open(1);
        list.page_loaded(0, 10, rows(0, 10));
        list.click(2, Extend::Replace);
        list.remove(&[2, 5]);
        assert_eq!(list.total, 8);
        let ids: Vec<i64> = list.held().map(|m| m.id).collect();
        assert_eq!(ids, [1, 3, 4, 6, 7, 8, 9, 10]);
        assert_eq!(list.get(1).map(|m| m.id), Some(3));
        assert!(list.selected.is_empty());
    }
}
