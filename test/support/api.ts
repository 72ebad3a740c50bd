import type { PrdDocument } from '../../src/contexts/product-definition/contracts';
import type { Application } from '../../src/app/container';
import { bearer } from './app';

export interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

/** The HTTP API as a person's client sees it (fastify inject: no socket, same routing). */
export class Api {
  constructor(private readonly app: Application) {}

  async call<T = Record<string, unknown>>(user: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown): Promise<ApiResponse<T>> {
    const response = await this.app.http.inject({ method, url, headers: bearer(user), ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: response.statusCode, body: response.body ? (JSON.parse(response.body) as T) : ({} as T) };
  }

  get<T = Record<string, unknown>>(user: string, url: string) {
    return this.call<T>(user, 'GET', url);
  }

  post<T = Record<string, unknown>>(user: string, url: string, payload: unknown = {}) {
    return this.call<T>(user, 'POST', url, payload);
  }
}

export interface TaskView {
  task: { taskId: string; status: string; version: number; prdVersion: number | null };
  history: Array<{
    from: string | null;
    to: string;
    actor: string;
    version: number;
    questions?: string[];
    answers?: unknown[];
    feedback?: string;
    prdVersion?: number;
  }>;
  clarifications: Array<{ question: string; answer?: string }>;
  prd: {
    version: number;
    document: PrdDocument;
  } | null;
  prdVersions: number[];
}

export interface NotificationView {
  id: string;
  taskId: string;
  kind: string;
  taskVersion: number;
  questions?: string[] | null;
  prdVersion?: number | null;
  subject?: string;
  readAt?: string | null;
  state?: 'needs-you' | 'done' | 'superseded' | 'task-finished';
  supersededBy?: number;
  taskStatus?: string | null;
  links?: Record<string, string>;
  actions?: Record<string, string>;
}
