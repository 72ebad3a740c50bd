#!/usr/bin/env node
// `npm run mail:catch`: a local SMTP catcher for trying email with `npm start`, offline. It listens
// on 127.0.0.1:1025 (MAIL_CATCH_PORT to change it; no auth, no TLS), accepts every message and
// prints who it is for, its subject and each line with a link; nothing is stored or sent on. Start the
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
        // Each line of the plain-text part that carries a link, as written ("Approve PRD v1: http://…").
        const links = (mail.text ?? '')
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => /https?:\/\//.test(line));
        console.log(`\n${new Date().toISOString()} to ${to}\n  subject: ${mail.subject ?? '(none)'}`);
        for (const link of links) console.log(`  ${link}`);
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
