# 连接诊断：步骤名称
doctor-step-dns = 查找服务器
doctor-step-connect = 建立连接
doctor-step-tls = 安全连接（TLS）
doctor-step-login = 登录
doctor-step-mailbox = 打开邮箱
doctor-passed = 通过
doctor-failed = 失败

# 连接诊断：失败时的建议
doctor-hint-host-not-found = 找不到服务器 { $host }，请检查拼写。
doctor-hint-port-blocked = { $host } 的 { $port } 端口没有响应。请检查端口号；也可能被防火墙拦截。
doctor-hint-timeout = { $host } 响应超时。请稍后再试，或检查网络。
doctor-hint-cert-not-trusted = { $host } 的证书不受信任，其 SHA-256 指纹为 { $fingerprint }。如果您确认该服务器使用此证书，请为此账户选择“信任此证书”。
doctor-hint-cert-wrong-host = { $host } 的证书是为其他名称（{ $subject }）签发的，请检查服务器名称。
doctor-hint-cert-expired = { $host } 的证书当前无效（有效期至 { $until }）。请检查电脑时间，或联系服务器管理员。
doctor-hint-starttls-missing = 服务器不支持 STARTTLS，连接无法加密。请改用 TLS 端口（IMAP 通常为 993，POP3 为 995，SMTP 为 465）。
doctor-hint-plaintext-refused = 服务器不接受未加密连接上的密码，因此没有发送密码。请为此账户选择 STARTTLS 或 TLS。
doctor-hint-wrong-password = 服务器拒绝了用户名或密码，请检查后重试。
doctor-hint-authorization-code = { $provider } 拒绝了该密码。邮件客户端需要使用客户端授权码，而不是登录密码：请在网页版设置中开启 IMAP/SMTP（或 POP3/SMTP）服务并生成授权码。{ $url }
doctor-hint-app-password = { $provider } 拒绝了该密码。邮件客户端需要应用专用密码：请在账户安全设置中生成。{ $url }
doctor-hint-protocol-off = { $provider } 在登录前拒绝了连接，该协议可能未开启：请在网页版设置中开启。{ $url }
doctor-hint-no-password = 此账户没有保存密码，请重新输入。
doctor-hint-server-unavailable = { $host } 暂时无法提供您的邮箱服务（{ $detail }）。这是服务器端的问题，请稍后再试。
doctor-hint-password-expired = { $host } 提示您的密码已过期。请在服务商网站上修改密码，然后在这里输入新密码。
doctor-hint-other = 出现问题：{ $detail }

# 写邮件：回复与转发
compose-reply-intro = 在 { $date }，{ $name } 写道：
compose-forward-header = ---------- 转发的邮件 ----------
compose-forward-from = 发件人
compose-forward-date = 日期
compose-forward-subject = 主题
compose-forward-to = 收件人

# 主窗口
ui-mail = 邮件
ui-settings = 设置
ui-sync = 立即同步
ui-no-accounts = 还没有账户。请先用 `tidings account add` 添加账户，然后同步。
ui-no-messages = 此文件夹中没有邮件。
ui-pick-folder = 请选择一个文件夹。
ui-pick-message = 选择一封邮件以阅读。
ui-downloading = 这封邮件仍在下载中……
ui-too-large = 这封邮件大小为 { $size }，超过 Tidings 下载的上限 { $limit }，因此这里只有邮件头。邮件仍保留在服务器上；请在邮箱服务商的网页版中打开。
ui-list-to = 收件人：{ $name }
ui-list-to-several = 收件人：{ $name } 等 { $more } 人
ui-disk-full = 磁盘已满。Tidings 已暂停同步和保存，没有写入不完整的数据。腾出空间后会自动继续。
ui-db-restored = 邮件数据库已损坏。损坏的文件已另存为 { $damaged }；账户、草稿、发件箱和 POP3 邮件已从 { $date } 的备份恢复，IMAP 邮件正在重新下载。
ui-db-lost = 邮件数据库已损坏，且没有可读取的备份。损坏的文件已另存为 { $damaged }；请重新添加账户。
ui-remote-blocked = 已阻止 { $count } 个远程图片或样式表。
ui-attachments = 附件
ui-from = 发件人
ui-to = 收件人
ui-cc = 抄送
ui-date = 日期
ui-state-connecting = 正在连接……
ui-state-online = 在线
ui-state-offline = 离线：{ $reason }
ui-progress = 正在同步 { $done }/{ $total }
ui-indexing = 正在建立搜索索引：还剩 { $count } 封
ui-error = 错误：{ $message }
ui-language = 语言
ui-theme = 主题
ui-theme-light = 浅色
ui-theme-dark = 深色
ui-accounts = 账户
ui-protocol-imap = IMAP——邮件保留在服务器上，所有操作同步回服务器
ui-protocol-pop3 = POP3——邮件下载到这台电脑
ui-protocol-smtp = SMTP——发送邮件
ui-role-inbox = 收件箱
ui-role-sent = 已发送
ui-role-drafts = 草稿箱
ui-role-trash = 已删除
ui-role-junk = 垃圾邮件
ui-folder-downloads = 已下载 (POP3)
ui-role-archive = 归档
ui-has-attachments = 附件
ui-image = 图片
ui-image-blocked = 已阻止的远程图片
ui-archive = 归档
ui-delete = 删除
ui-mark-read = 标为已读
ui-mark-unread = 标为未读
ui-flag = 加旗标
ui-unflag = 取消旗标
ui-save = 保存
ui-saved = 已保存到 { $path }
ui-selected-count = 已选择 { $count } 封邮件
ui-new-mail = { $count } 封新邮件

## 设置：应用页与账户表单
ui-app-settings = 应用
ui-add-account = 添加账户
ui-follow-system = 跟随系统
ui-notifications = 通知
ui-notifications-detail = 收到新邮件时通知我
ui-background = 后台运行
ui-background-detail = 关闭窗口后让 Tidings 在托盘中继续运行
ui-background-no-tray = 此桌面不显示托盘图标，关闭窗口将退出 Tidings。
ui-autostart = 登录时启动
ui-autostart-detail = 登录时在托盘中启动 Tidings
ui-autostart-failed = 无法更改登录时启动：{ $error }
tray-title = Tidings
tray-title-unread = Tidings — { $count } 封未读
tray-open = 打开 Tidings
tray-compose = 写邮件
tray-sync = 立即同步
tray-quit = 退出
ui-about = 关于
ui-version = Tidings { $version }
ui-open-log-folder = 打开日志文件夹
ui-log-folder = 日志记录了 Tidings 与服务器之间的操作，不含任何密码；报告问题时可以附上它。
form-name = 您的姓名
form-address = 邮箱地址
form-host = 服务器
form-port = 端口
form-security = 安全
form-security-tls = SSL/TLS
form-security-starttls = STARTTLS
form-security-plain = 无
form-plain-warning = 未加密：密码和邮件在网络上以明文传输，途中任何人都能读取。仅用于您自己网络中的服务器。
form-username = 用户名
form-password = 密码
form-password-new = 密码或客户端授权码
form-password-keep = 不变（输入以替换）
form-sync-window = 保留多少天的邮件（0 = 全部）
form-leave-on-server = 在服务器上保留邮件
form-keep-days = 多少天后从服务器删除（0 = 从不）
form-delete-when-deleted = 在本地删除时同时从服务器删除
form-poll-minutes = 检查间隔（分钟）
form-save = 保存
form-test = 测试连接
form-testing = 正在测试…
form-remove = 删除账户
form-fix-first = 请先修正标红的字段，才能保存或测试。
form-remove-ask = 从 Tidings 删除 { $address }？无论如何都会清除其密码。
form-remove-keep = 删除，但保留已下载的邮件
form-remove-all = 连同所有邮件一起删除
form-cancel = 取消
form-saved = 账户已保存。
form-bad-address = 请输入邮箱地址，例如 name@example.com。
form-host-empty = 请输入服务器名称，或关闭此协议。
form-host-bad = 服务器名称中不能有空格。
form-port-range = 端口是 1 到 65535 之间的数字。
form-username-empty = 请输入用户名（通常是您的邮箱地址）。
form-not-a-number = 请输入整数。
form-poll-zero = 检查间隔至少为 1 分钟。
form-nothing-on = 请至少开启 IMAP、POP3 或 SMTP 中的一个。
form-roles = 特殊文件夹
form-roles-help = 已发送邮件、草稿、已删除邮件和垃圾邮件存放的位置。Tidings 依据服务器的声明或文件夹名称判断；如果判断有误，请在这里更改。
form-role-automatic = 自动（按服务器的设置）
form-role-none = 无
doctor-all-ok = 所有步骤均已通过。
doctor-some-failed = 部分步骤失败；请参阅下方的处理方法。
ui-remote-once = 显示图片
ui-remote-sender = 始终显示来自 { $sender } 的图片
ui-open = 打开
ui-risky-open = “{ $name }”是程序或脚本（.{ $ext }）。打开就会运行它，可能危害你的电脑。只有确定发件人会发给你时才打开。
ui-risky-open-anyway = 仍然打开
ui-no-cache-dir = 没有可用于打开 { $detail } 的私有文件夹（没有主目录）。请改为保存附件。
ui-password-needed = Tidings 需要 { $address } 的密码。
ui-password-refused = 服务器拒绝了 { $address } 的密码。
ui-password-use = 使用此密码
ui-later = 稍后

## 写邮件
compose-new = 写邮件
compose-reply = 回复
compose-reply-all = 全部回复
compose-forward = 转发
compose-send = 发送
compose-attach = 添加附件
compose-close = 关闭
compose-saved = 草稿已保存
compose-from = 发件人
compose-to = 收件人
compose-cc = 抄送
compose-bcc = 密送
compose-cc-bcc = 抄送 / 密送
compose-subject = 主题
compose-body-placeholder = 在此输入正文…
compose-cannot-send = SMTP 已关闭，无法发信
compose-large = 附件共 { $size }；很多服务器拒收超过 25 MB 的邮件。
compose-no-recipient = 请至少添加一位收件人。
compose-bad-address = 有些输入不是邮箱地址；请修正或删除。
compose-sending-off = 此账户已关闭 SMTP；请在发件人中选择其他账户，或在设置中开启 SMTP。
compose-sending = 正在发送…
compose-sent = 已发送。
compose-no-subject = （无主题）
compose-unsent = 上次有 { $count } 封草稿未发送：
compose-outbox-waiting = { $count } 封邮件等待发送
compose-refused = 未发送：{ $reason }
compose-maybe-sent = 有一封邮件可能已经发出（Tidings 在发送时中止）；请检查已发送。
compose-edit = 编辑
compose-retry = 重试
launch-mailto-bad = 打开此邮件的链接无法识别，已新建一封空白邮件。
launch-mailto-bad-address = 打开此邮件的链接中有地址无法识别，请检查收件人、抄送和密送。
ui-file-shown = { $file }（邮件文件，不在任何文件夹中）
ui-file-unreadable = 无法打开 { $file }：{ $reason }
ui-file-too-large = 文件大小为 { $size }，超过任何邮件的大小
ui-file-empty = 文件是空的
ui-file-not-found = 文件不存在
ui-file-denied = 没有读取权限
ui-default-app = 默认邮件程序
ui-default-yes = Tidings 负责打开 mailto: 链接和邮件文件。
ui-default-no-named = 目前由 { $other } 打开 mailto: 链接和邮件文件，而不是 Tidings。
ui-default-no = 目前不是由 Tidings 打开 mailto: 链接和邮件文件。
ui-default-unknown = 无法判断：{ $reason }
ui-make-default = 设为默认
ui-default-settings-opened = 请在刚打开的“默认应用”设置中选择 Tidings。
ui-default-in-mail = 请在“邮件”中选择 设置 → 通用 → 默认电子邮件阅读器：Tidings。

## 添加账户
setup-title = 添加邮箱账户
setup-intro = 输入邮箱地址和密码；Tidings 会自动查找服务器，并在保存前逐步检查连接。
setup-waiting-mailto = 写给 { $to } 的邮件在等待：保存此账户后即可打开。
setup-waiting-message = 一封新邮件在等待：保存此账户后即可打开。
setup-password = 密码或客户端授权码
setup-continue = 继续
setup-looking = 正在查找服务器设置…
setup-unverified-hosts = 该地址属于 { $domain }，但从 DNS 找到的设置指向其他地方的服务器：{ $hosts }。DNS 应答可能被伪造；只有在你信任这些服务器时，密码才会发送给它们。如不确定，请向邮箱服务商确认。
setup-accept-hosts = 我信任这些服务器
setup-not-found = 未能找到 { $address } 的设置。请点击“手动设置”填写服务器。
setup-source-provider = { $provider } 的设置（来自 Tidings 内置的服务商数据）：
setup-source-domain = 来自该域名配置文件的设置（{ $url }）：
setup-source-srv = 来自该域名 DNS 记录的设置：
setup-source-probe = 在常用服务器名和端口上应答的服务器：
setup-not-offered = 未提供
setup-test-again = 再次测试
setup-back = 返回
setup-manual = 手动设置
setup-needs-code = { $provider } 需要使用客户端授权码，而不是登录密码。
setup-needs-app-password = 在 Tidings 支持其登录页面之前，{ $provider } 需要使用应用专用密码。
setup-help = 打开 { $provider } 的设置说明
setup-trust = 为此账户信任该证书

# 搜索
search-placeholder = 搜索邮件（Ctrl+F）
search-count = { $count ->
    [0] 没有匹配的邮件
   *[other] 找到 { $count } 封邮件
}
search-scope-all = 所有账户
search-scope-folder = 仅此文件夹
search-none = 没有与搜索匹配的邮件。
search-server = 在服务器上搜索
search-server-running = 正在搜索服务器……
search-server-more = { $count ->
    [0] 服务器上没有更多结果
   *[other] 服务器上另有 { $count } 封
}
search-server-charset = { $account } 的服务器无法搜索这种语言的文字；已下载的邮件仍在本地搜索。
search-server-failed = 在服务器上搜索 { $account } 失败：{ $details }

# Why something the window asked for failed (src/ui/failure.rs).
ui-failed-store = 读取本机保存的邮件失败：{ $detail }
ui-failed-stopped = 后台任务未完成就停止了：{ $detail }
ui-failed-open = 系统无法打开：{ $detail }
ui-failed-write = 无法保存：{ $detail }
ui-failed-read = 无法读取：{ $detail }
ui-failed-desktop = 系统拒绝了此更改：{ $detail }
ui-failed-notify = 无法显示通知：{ $detail }
ui-failed-tray = 托盘图标无法启动：{ $detail }

# Why a command failed (src/cli/error.rs); the details follow in the words given.
cli-error-usage = 参数有误：{ $detail }
cli-error-not-found = 找不到：{ $detail }
cli-error-busy = 数据目录正被占用：{ $detail }
cli-error-store = 无法读写本机保存的邮件：{ $detail }
cli-error-io = 读写失败：{ $detail }
cli-error-servers = 服务器出错：{ $detail }
cli-error-keyring = 系统钥匙串拒绝了请求：{ $detail }
cli-error-window = 窗口无法打开：{ $detail }
cli-error-failed = 失败：{ $detail }
