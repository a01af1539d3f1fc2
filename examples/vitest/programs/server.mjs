// The server under test: GET /fib/N answers fib(N), computed the slow way.
// Listens on 127.0.0.1:PORT (the first argument) and says so on stdout.
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
const fib = (n) => (n < 2 ? n : fib(n - 1) + fib(n - 2));

createServer((req, res) => {
  const n = Math.min(Number(req.url?.split('/')[2] ?? 20) || 0, 30);
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ n, fib: fib(n) }));
}).listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`));
