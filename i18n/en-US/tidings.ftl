# Connection doctor: step names
doctor-step-dns = Find the server
doctor-step-connect = Connect
doctor-step-tls = Secure connection (TLS)
doctor-step-login = Sign in
doctor-step-mailbox = Open the mailbox
doctor-passed = passed
doctor-failed = failed

# Connection doctor: what to do when a step fails
doctor-hint-host-not-found = The server name { $host } was not found. Check its spelling.
doctor-hint-port-blocked = Nothing answered at { $host } on port { $port }. Check the port number; a firewall may also block it.
doctor-hint-timeout = { $host } did not answer in time. Try again later, or check your network.
doctor-hint-cert-not-trusted = The certificate of { $host } is not trusted. Its SHA-256 fingerprint is { $fingerprint }. If you know this server uses it, choose “Trust this certificate” for this account.
doctor-hint-cert-wrong-host = The certificate of { $host } was issued for another name ({ $subject }). Check the server name.
doctor-hint-cert-expired = The certificate of { $host } is not valid now (valid until { $until }). Check your computer's clock, or tell the server's administrator.
doctor-hint-starttls-missing = The server does not offer STARTTLS, so the connection cannot be encrypted. Use its TLS port instead (usually 993 for IMAP, 995 for POP3, 465 for SMTP).
doctor-hint-plaintext-refused = The server refuses passwords over an unencrypted connection, so none was sent. Choose STARTTLS or TLS for this account.
doctor-hint-wrong-password = The server refused the user name or password. Check both and try again.
doctor-hint-authorization-code = { $provider } refused the password. Mail programs need its client authorization code, not your login password: turn on IMAP/SMTP (or POP3/SMTP) in its web settings and create the code there. { $url }
doctor-hint-app-password = { $provider } refused the password. Mail programs need an app password: create one in your account's security settings. { $url }
doctor-hint-protocol-off = { $provider } refused the connection before sign-in. This protocol is probably switched off: turn it on in its web settings. { $url }
doctor-hint-no-password = No password is stored for this account. Enter it again.
doctor-hint-server-unavailable = { $host } cannot serve your mailbox right now ({ $detail }). This is on the server's side; try again later.
doctor-hint-password-expired = { $host } says your password has expired. Change it on the provider's website, then enter the new one here.
doctor-hint-other = Something went wrong: { $detail }

# Composer: replies and forwards
compose-reply-intro = On { $date }, { $name } wrote:
compose-forward-header = ---------- Forwarded message ----------
compose-forward-from = From
compose-forward-date = Date
compose-forward-subject = Subject
compose-forward-to = To

# The window
ui-mail = Mail
ui-settings = Settings
ui-sync = Sync now
ui-no-accounts = No accounts yet. Add one with `tidings account add`, then sync.
ui-no-messages = No messages in this folder.
ui-pick-folder = Choose a folder.
ui-pick-message = Choose a message to read it.
ui-downloading = This message is still being downloaded…
ui-too-large = This message is { $size }, more than the { $limit } Tidings downloads, so only its headers are here. It stays on the server; open it in your provider's webmail.
ui-list-to = To: { $name }
ui-list-to-several = To: { $name } and { $more } more
ui-disk-full = The disk is full. Tidings paused syncing and saving; nothing was half-written. Free some space and it goes on by itself.
ui-db-restored = The mail database was damaged. It was kept aside as { $damaged }; your accounts, drafts, outbox and POP3 mail were restored from the backup of { $date }, and IMAP mail is being downloaded again.
ui-db-lost = The mail database was damaged and no backup could be read. It was kept aside as { $damaged }; please add your accounts again.
ui-remote-blocked = { $count ->
    [one] One remote image or style sheet was blocked.
   *[other] { $count } remote images and style sheets were blocked.
}
ui-attachments = Attachments
ui-from = From
ui-to = To
ui-cc = Cc
ui-date = Date
ui-state-connecting = Connecting…
ui-state-online = Online
ui-state-offline = Offline: { $reason }
ui-progress = Syncing { $done } of { $total }
ui-indexing = Indexing for search: { $count } left
ui-error = Error: { $message }
ui-language = Language
ui-theme = Theme
ui-theme-light = Light
ui-theme-dark = Dark
ui-accounts = Accounts
ui-protocol-imap = IMAP — mail stays on the server, every change is mirrored
ui-protocol-pop3 = POP3 — mail is downloaded to this computer
ui-protocol-smtp = SMTP — sending mail
ui-role-inbox = Inbox
ui-role-sent = Sent
ui-role-drafts = Drafts
ui-role-trash = Trash
ui-role-junk = Junk
ui-folder-downloads = Downloaded (POP3)
ui-role-archive = Archive
ui-has-attachments = attachment
ui-image = image
ui-image-blocked = remote image blocked
ui-archive = Archive
ui-delete = Delete
ui-mark-read = Mark read
ui-mark-unread = Mark unread
ui-flag = Flag
ui-unflag = Unflag
ui-save = Save
ui-saved = Saved { $path }
ui-selected-count = { $count ->
    [one] One message selected
   *[other] { $count } messages selected
}
ui-new-mail = { $count ->
    [one] One new message
   *[other] { $count } new messages
}

## Settings: app page and account form
ui-app-settings = App
ui-add-account = Add account
ui-follow-system = Follow system
ui-notifications = Notifications
ui-notifications-detail = Tell me when new mail arrives
ui-unified = Unified folders
ui-unified-detail = Show every account's inbox, sent and drafts together at the top
ui-conversations = Conversations
ui-conversations-detail = Show a reply with the mail it answers, as one row in the list
ui-conversations-short = Conversations
ui-by-subject = Group by subject
ui-by-subject-detail = Also join mail with the same subject (Re:, 回复：, AW: and the like set aside) sent within two weeks
ui-conversation-count = { $count ->
    [one] One message
   *[other] { $count } messages
}
ui-show-quoted = Show quoted text
ui-folder-all-inboxes = All inboxes
ui-folder-all-sent = All sent
ui-folder-all-drafts = All drafts
ui-background = In the background
ui-background-detail = Keep Tidings running in the tray when the window closes
ui-background-no-tray = This desktop shows no tray icons, so closing the window quits Tidings.
ui-autostart = Start at login
ui-autostart-detail = Start Tidings in the tray when I log in
ui-autostart-failed = Could not change starting at login: { $error }
tray-title = Tidings
tray-title-unread = Tidings — { $count } unread
tray-open = Open Tidings
tray-compose = New message
tray-sync = Sync now
tray-quit = Quit
ui-about = About
ui-version = Tidings { $version }
ui-open-log-folder = Open log folder
ui-log-folder = The log records what Tidings did with your servers, without passwords; attach it to a bug report.
form-name = Your name
form-address = Email address
form-host = Server
form-port = Port
form-security = Security
form-security-tls = SSL/TLS
form-security-starttls = STARTTLS
form-security-plain = None
form-plain-warning = Unencrypted: your password and mail cross the network readable by anyone on the way. Only for servers on your own network.
form-username = User name
form-password = Password
form-password-new = Password or authorization code
form-password-keep = Unchanged (type to replace)
form-sync-window = Days of mail to keep (0 = all)
form-leave-on-server = Leave messages on the server
form-keep-days = Delete from server after days (0 = never)
form-delete-when-deleted = Delete on the server when I delete here
form-poll-minutes = Check every (minutes)
form-save = Save
form-test = Test connection
form-testing = Testing…
form-remove = Remove account
form-fix-first = Fix the fields marked in red to save or test.
form-remove-ask = Remove { $address } from Tidings? Its password is forgotten either way.
form-remove-keep = Remove, keep the downloaded mail
form-remove-all = Remove with all its mail
form-cancel = Cancel
form-saved = Account saved.
form-bad-address = Enter an email address like name@example.com.
form-host-empty = Enter the server name, or switch this protocol off.
form-host-bad = A server name has no spaces.
form-port-range = The port is a number from 1 to 65535.
form-username-empty = Enter the user name (usually your email address).
form-not-a-number = Enter a whole number.
form-poll-zero = Check at least every minute.
form-nothing-on = Switch on at least one of IMAP, POP3 or SMTP.
form-roles = Special folders
form-roles-help = Where sent mail, drafts, deleted and junk mail go. Tidings takes the server's word or the folders' names; change it here if that guessed wrong.
form-role-automatic = Automatic (as the server says)
form-role-none = None
doctor-all-ok = Every step passed.
doctor-some-failed = Some steps failed; see what to do below.
ui-remote-once = Show images
ui-remote-sender = Always from { $sender }
ui-open = Open
ui-risky-open = “{ $name }” is a program or script (.{ $ext }). Opening it runs it, and it could harm your computer. Open it only if you expected it from this sender.
ui-risky-open-anyway = Open anyway
ui-no-cache-dir = There is no private folder to open { $detail } from (no home directory). Save the attachment instead.
ui-password-needed = Tidings needs the password for { $address }.
ui-password-refused = The server refused the password for { $address }.
ui-password-use = Use this password
ui-later = Later

## Composer
compose-new = New message
compose-reply = Reply
compose-reply-all = Reply all
compose-forward = Forward
compose-send = Send
compose-attach = Attach
compose-close = Close
compose-saved = Draft saved
compose-from = From
compose-to = To
compose-cc = Cc
compose-bcc = Bcc
compose-cc-bcc = Cc / Bcc
compose-subject = Subject
compose-body-placeholder = Write your message…
compose-cannot-send = SMTP is off: cannot send
compose-large = Attachments add up to { $size }; many servers refuse messages over 25 MB.
compose-no-recipient = Add at least one recipient.
compose-bad-address = Some typed text is not an email address; fix it or remove it.
compose-sending-off = This account has SMTP switched off; choose another in From or switch SMTP on in Settings.
compose-sending = Sending…
compose-sent = Sent.
compose-no-subject = (no subject)
compose-unsent = { $count ->
    [one] A draft was left unsent last time:
   *[other] { $count } drafts were left unsent last time:
}
compose-outbox-waiting = { $count ->
    [one] One message waiting to be sent
   *[other] { $count } messages waiting to be sent
}
compose-refused = Not sent: { $reason }
compose-maybe-sent = A message may have been sent already (Tidings stopped while sending); check Sent.
compose-edit = Edit
compose-retry = Retry
launch-mailto-bad = The link that opened this message could not be read, so the message starts empty.
launch-mailto-bad-address = Some addresses in the link that opened this message could not be read; check To, Cc and Bcc.
ui-file-shown = { $file } (a message file, not in any folder)
ui-file-unreadable = Could not open { $file }: { $reason }
ui-file-too-large = it is { $size }, larger than any mail message
ui-file-empty = the file is empty
ui-file-not-found = there is no such file
ui-file-denied = you may not read it
ui-default-app = Default mail app
ui-default-yes = Tidings opens mailto: links and message files.
ui-default-no-named = { $other } opens mailto: links and message files, not Tidings.
ui-default-no = Tidings does not open mailto: links and message files.
ui-default-unknown = Cannot tell: { $reason }
ui-make-default = Make default
ui-default-settings-opened = Choose Tidings in the Default Apps settings that just opened.
ui-default-in-mail = In Mail, choose Settings → General → Default email reader: Tidings.

## Account setup
setup-title = Add your mail account
setup-intro = Type your address and password; Tidings finds the servers and checks every step before saving anything.
setup-waiting-mailto = A message to { $to } is waiting: it opens once this account is saved.
setup-waiting-message = A new message is waiting: it opens once this account is saved.
setup-password = Password or authorization code
setup-continue = Continue
setup-looking = Looking up the settings…
setup-unverified-hosts = The address is at { $domain }, but the settings found in DNS point to servers elsewhere: { $hosts }. DNS answers can be forged; your password goes to these servers only if you trust them. Check with your mail provider if you are unsure.
setup-accept-hosts = I trust these servers
setup-not-found = No settings were found for { $address }. Enter the servers by hand with “Manual settings”.
setup-source-provider = Settings for { $provider }, from Tidings' provider data:
setup-source-domain = Settings from the domain's configuration ({ $url }):
setup-source-srv = Settings from the domain's DNS records:
setup-source-probe = Servers that answered on the usual names and ports:
setup-not-offered = not offered
setup-test-again = Test again
setup-back = Back
setup-manual = Manual settings
setup-needs-code = { $provider } needs a client authorization code, not your login password.
setup-needs-app-password = { $provider } needs an app password until Tidings supports its sign-in page.
setup-help = Open { $provider }'s instructions
setup-trust = Trust this certificate for this account

# Search
search-placeholder = Search mail (Ctrl+F)
search-count = { $count ->
    [0] No messages match
    [one] One message matches
   *[other] { $count } messages match
}
search-scope-all = All accounts
search-scope-folder = This folder only
search-none = No messages match your search.
search-server = Search on the server
search-server-running = Searching the server…
search-server-more = { $count ->
    [0] The server found nothing more
    [one] One more from the server
   *[other] { $count } more from the server
}
search-server-charset = { $account } cannot search for text in this language on the server; mail already downloaded is searched here.
search-server-failed = Searching { $account } on the server failed: { $details }

# Why something the window asked for failed (src/ui/failure.rs).
ui-failed-store = Reading the mail kept on this computer failed: { $detail }
ui-failed-stopped = A background task stopped before it finished: { $detail }
ui-failed-open = The desktop could not open it: { $detail }
ui-failed-write = Could not save: { $detail }
ui-failed-read = Could not read: { $detail }
ui-failed-desktop = The desktop refused the change: { $detail }
ui-failed-notify = The notification could not be shown: { $detail }
ui-failed-tray = The tray icon could not start: { $detail }

# Why a command failed (src/cli/error.rs); the details follow in the words given.
cli-error-usage = { $detail }
cli-error-not-found = { $detail }
cli-error-busy = { $detail }
cli-error-store = the mail kept on this computer could not be read or written: { $detail }
cli-error-io = { $detail }
cli-error-servers = { $detail }
cli-error-keyring = the keyring refused: { $detail }
cli-error-window = the window could not open: { $detail }
cli-error-failed = { $detail }
