//! A per-account background task that can be woken and stopped: the outbox sender and the
//! POP3 poller are both one of these.

use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::Context;
use crate::store::accounts::Account;

/// What a worker's body gets: its wake-ups and its stop signal.
pub(crate) struct Signals {
    /// A wake-up asks for a pass now.
    pub wake: mpsc::UnboundedReceiver<()>,
    /// Turns true when the worker must end.
    pub stop: watch::Receiver<bool>,
}

impl Signals {
    /// Waits for a wake-up or `delay`; false when the worker must stop instead.
    pub(crate) async fn wait(&mut self, delay: Duration) -> bool {
        tokio::select! {
            // A stop wins over a wake-up that is also ready.
            biased;
            _ = self.stop.changed() => false,
            _ = self.wake.recv() => true,
            _ = tokio::time::sleep(delay) => true,
        }
    }
}

/// A running worker.
pub(crate) struct Worker {
    config: Account,
    wake: mpsc::UnboundedSender<()>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Worker {
    /// Starts `body` for `account`.
    pub(crate) fn start<F, Fut>(ctx: Context, account: Account, body: F) -> Worker
    where
        F: FnOnce(Context, Account, Signals) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let (wake, wake_rx) = mpsc::unbounded_channel();
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(body(
            ctx,
            account.clone(),
            Signals {
                wake: wake_rx,
                stop: stop_rx,
            },
        ));
        Worker {
            config: account,
            wake,
            stop,
            task,
        }
    }

    /// The settings it runs with; a change means a restart.
    pub(crate) fn config(&self) -> &Account {
        &self.config
    }

    /// Asks for a pass now.
    pub(crate) fn wake(&self) {
        let _ = self.wake.send(());
    }

    /// Whether its task has ended.
    pub(crate) fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Stops it, waiting a few seconds for it to finish what it is doing.
    pub(crate) async fn stop(self) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(Duration::from_secs(5), &mut task)
            .await
            .is_err()
        {
            task.abort();
        }
    }
}
