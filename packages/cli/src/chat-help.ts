import { GLOBAL_HELP } from './args.js';

export const CHAT_HELP = `Usage: parley [chat] [--server HOST:PORT | --gateway URL,…] [--http URL] [--no-bell]

The interactive, full-screen chat client. Signs in with the saved session, or asks for the
server, username and password (Ctrl+R switches between signing in and registering). The
Server field takes host:port, or a cluster's gateway URLs (http://…, comma-separated).

Keys: Tab / Shift+Tab next / previous conversation, PageUp / PageDown scroll (PageUp at the top
loads older messages), Enter send, Esc close a panel, Ctrl+C quit.
Type /help inside for the slash commands (/dm, /join, /leave, /group, /file, /recall, /edit,
/search, /redpacket, /claim, /wallet, /quit). Emoji shortcodes such as :smile: become 😄.

  --no-bell   no terminal bell on new messages

${GLOBAL_HELP}`;
