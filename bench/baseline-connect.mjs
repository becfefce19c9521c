// Floor for the cold-start figure: a process that loads `ws` (the WebSocket client the pipe
// uses) and opens one connection. Loading ws alone pulls in node's http, https, tls and zlib.
import WebSocket from 'ws';

const socket = new WebSocket(process.argv[2]);
socket.on('error', () => process.exit(0));
