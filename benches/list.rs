//! Message-list frame cost: view + layout of the list over a 100,000-message folder, scrolled
//! to many places, against the same code laying out a 200-row page in full (what a list that
//! builds every held row would do with its first page) in the same run. Target: under 4 ms a
//! frame.

use std::time::Instant;

use iced::Settings;
use iced_test::Simulator;
use tidings::i18n::I18n;
use tidings::store::conversations::Summary;
use tidings::store::messages::{Envelope, Flags};
use tidings::ui::app::App;
use tidings::ui::fonts;
use tidings::ui::list::{MessageList, PAGE, ROW_HEIGHT};
use tidings::ui::screen::{Ctx, mail};

const TOTAL: u32 = 100_000;

fn row(position: u32) -> Envelope {
    Envelope {
        id: i64::from(position) + 1,
        from_name: format!("Sender {position}"),
        from_addr: format!("s{position}@example.org"),
        subject: format!("第 {position} 封: quarterly report and the meeting notes"),
        snippet: "Hello team, the numbers for this quarter are in; 各位同事，请查收。".into(),
        date: 1_700_000_000 - i64::from(position) * 60,
        flags: Flags {
            seen: !position.is_multiple_of(3),
            flagged: position.is_multiple_of(7),
            ..Flags::default()
        },
        has_attachments: position.is_multiple_of(5),
        ..Envelope::default()
    }
}

/// Row `position` as a conversation of three writers and a few messages.
fn summary(position: u32) -> Summary {
    let id = i64::from(position) + 1;
    Summary {
        thread: id,
        head: id,
        messages: 1 + position % 5,
        unread: position % 2,
        flagged: position.is_multiple_of(7),
        attachments: position.is_multiple_of(5),
        participants: vec![
            "Bob Chen".into(),
            "张伟".into(),
            format!("Sender {position}"),
        ],
        members: vec![id],
    }
}

/// Scrolls to `offset` and fills the pages the viewport needs, as the store reads would
/// (with each row's conversation in conversation mode).
fn scroll(app: &mut App, offset: f32) {
    app.mail.list.offset = offset;
    for page in app.mail.list.wanted_pages() {
        let start = page * PAGE;
        let positions = start..(start + PAGE).min(TOTAL);
        let rows = positions.clone().map(row).collect();
        app.mail.list.page_loaded(page, TOTAL, rows);
        if app.prefs.conversations {
            app.mail.list.summarised(positions.map(summary).collect());
        }
    }
}

/// What the screen reads of the window.
fn ctx(app: &App) -> Ctx<'_> {
    Ctx {
        i18n: &app.i18n,
        tree: &app.tree,
        language: "",
        theme: app.prefs.theme,
        notifications: false,
        background: false,
        unified: false,
        conversations: app.prefs.conversations,
        tray_shown: false,
        desktop: false,
        db: &app.paths.db,
        downloads: &app.paths.downloads,
        open_dir: None,
    }
}

/// Milliseconds per frame: view + layout at each offset.
fn frames(app: &mut App, offsets: &[f32], height: f32) -> f64 {
    let mut spent = 0.0;
    for &offset in offsets {
        scroll(app, offset);
        let start = Instant::now();
        let ui = Simulator::with_size(
            Settings {
                fonts: fonts::all(),
                default_font: fonts::UI,
                ..Settings::default()
            },
            (440.0, height),
            mail::list(&app.mail, ctx(app)),
        );
        spent += start.elapsed().as_secs_f64();
        drop(ui);
    }
    spent * 1000.0 / offsets.len() as f64
}

fn main() {
    let dir = std::env::temp_dir();
    let (mut app, _) = App::new(dir.join("bench-list.sqlite3"), I18n::new("en-US"), false);
    app.prefs.conversations = false;
    app.mail.folder = Some(1);
    app.mail.list = MessageList::open(1);
    app.mail.list.height = 700.0;
    let offsets: Vec<f32> = (0..300u32)
        .map(|i| ((i * 9_973) % (TOTAL - 20)) as f32 * ROW_HEIGHT)
        .collect();
    // Warm the font caches once so neither run pays for them.
    frames(&mut app, &offsets[..5], 700.0);
    let virtualised = frames(&mut app, &offsets, 700.0);

    // The same folder as one row per conversation.
    let mut threads = App::new(dir.join("bench-list.sqlite3"), I18n::new("en-US"), false).0;
    threads.prefs.conversations = true;
    threads.mail.folder = Some(1);
    threads.mail.list = MessageList::open(1);
    threads.mail.list.height = 700.0;
    frames(&mut threads, &offsets[..5], 700.0);
    let conversations = frames(&mut threads, &offsets, 700.0);

    let mut full = App::new(dir.join("bench-list.sqlite3"), I18n::new("en-US"), false).0;
    full.prefs.conversations = false;
    full.mail.folder = Some(1);
    full.mail.list = MessageList::open(1);
    // A viewport as tall as a page makes the same view build all 200 rows.
    full.mail.list.height = PAGE as f32 * ROW_HEIGHT;
    let reference = frames(&mut full, &[0.0; 30], 700.0);

    println!("message list, {TOTAL} messages, 440x700 viewport, view + layout per frame:");
    println!("  virtualised list:         {virtualised:.3} ms/frame (target < 4 ms)");
    println!("  conversation rows:        {conversations:.3} ms/frame (target < 4 ms)");
    println!("  200 rows built in full:   {reference:.3} ms/frame (reference)");
    println!(
        "  ratio virtualised/full:   {:.3}",
        virtualised / reference.max(f64::EPSILON)
    );
    println!(
        "  rows held in memory:      {}",
        app.mail.list.held().count()
    );
}
