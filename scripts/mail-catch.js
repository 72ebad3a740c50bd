#!/usr/bin/env node
// `npm run mail:catch`: a local SMTP catcher for trying email with `npm start`, offline. It listens
// on 127.0.0.1:1025 (MAIL_CATCH_PORT to change it; no auth, no TLS), accepts every message and
// prints who it is for, its subject and the links in it; nothing is stored or sent on. Start the
// service with SMTP_URL=smtp://127.0.0.1:1025?ignoreTLS=true. smtp-server and mailparser are the
// dev dependencies the tests' own SMTP sink uses (test/support/smtp-sink.ts).
'use strict';
const { SMTPServer } = require('smtp-server');
const { simpleParser } = require('mailparser');

const host = '127.0.0.1';
const port = Number(process.env.MAIL_CATCH_PORT ?? 1025);

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, callback) {
    simpleParser(stream)
      .then((mail) => {
        const to = session.envelope.rcptTo.map((r) => r.address).join(', ');
        const links = [...new Set((mail.text ?? '').match(/https?:\/\/[^\s<>"')]+/g) ?? [])];
        console.log(`\n${new Date().toISOString()} to ${to}\n  subject: ${mail.subject ?? '(none)'}`);
        for (const link of links) console.log(`  link: ${link}`);
        callback();
      })
      .catch((error) => callback(error instanceof Error ? error : new Error(String(error))));
  },
});
server.on('error', (error) => {
  console.error(`mail:catch: ${error.message}`);
  process.exitCode = 1;
});
server.listen(port, host, () => console.log(`mail:catch listening on smtp://${host}:${port} (Ctrl-C to stop)`));
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close(() => process.exit(0)));
