import type { FastifyReply } from 'fastify';
import type { PrdMarkdownExport } from '../../application/queries/task-queries.service';

/**
 * A PRD version as a Markdown download, for the API route and the inbox's download link alike.
 * The file name is a slug (prdFileName: ASCII letters, digits, hyphens and `.md`): nothing in it to quote.
 */
export function sendPrdMarkdown(reply: FastifyReply, exported: PrdMarkdownExport): FastifyReply {
  return reply.type('text/markdown; charset=utf-8').header('content-disposition', `attachment; filename="${exported.fileName}"`).send(exported.markdown);
}
