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
doctor-hint-plaintext-refused = 服务器拒绝在未加密的连接上登录，请选择 TLS 或 STARTTLS。
doctor-hint-wrong-password = 服务器拒绝了用户名或密码，请检查后重试。
doctor-hint-authorization-code = { $provider } 拒绝了该密码。邮件客户端需要使用客户端授权码，而不是登录密码：请在网页版设置中开启 IMAP/SMTP（或 POP3/SMTP）服务并生成授权码。{ $url }
doctor-hint-app-password = { $provider } 拒绝了该密码。邮件客户端需要应用专用密码：请在账户安全设置中生成。{ $url }
doctor-hint-protocol-off = { $provider } 在登录前拒绝了连接，该协议可能未开启：请在网页版设置中开启。{ $url }
doctor-hint-no-password = 此账户没有保存密码，请重新输入。
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
