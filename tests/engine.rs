//! The sync engine against the harness Dovecot and Postfix: initial and incremental sync, IDLE,
//! two-way changes, crash safety, UIDVALIDITY changes and clear errors. Nothing is mocked.

mod harness;

#[path = "engine/fixture.rs"]
mod fixture;

#[path = "engine/admin.rs"]
mod admin;
#[path = "engine/changes.rs"]
mod changes;
#[path = "engine/crash.rs"]
mod crash;
#[path = "engine/disk.rs"]
mod disk;
#[path = "engine/errors.rs"]
mod errors;
#[path = "engine/faults.rs"]
mod faults;
#[path = "engine/hostile.rs"]
mod hostile;
#[path = "engine/idle.rs"]
mod idle;
#[path = "engine/pop3.rs"]
mod pop3;
#[path = "engine/search.rs"]
mod search;
#[path = "engine/send.rs"]
mod send;
#[path = "engine/server_search.rs"]
mod server_search;
#[path = "engine/sizes.rs"]
mod sizes;
#[path = "engine/sync.rs"]
mod sync;
#[path = "engine/threads.rs"]
mod threads;
