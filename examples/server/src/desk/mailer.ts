import nodemailer, { type Transporter } from 'nodemailer';
import type { DeskStore } from './store.ts';

/** Where the desk's e-mail goes. */
export interface MailConfig {
  /** `smtp://host:port` or `smtps://user:pass@host:465`, as nodemailer reads it. */
  smtp: string;
  /** The sender, e.g. `kluis desk <desk@provider.example>`. */
  from: string;
}

/**
 * Sends the outbox through SMTP (nodemailer). Messages are queued in the database by the action
 * that causes them, so none is lost when the mail server is down: {@link Mailer.flush} retries
 * unsent ones (up to 10 attempts) and marks each sent one.
 *
 * @example
 * ```ts
 * const mailer = new Mailer(store, { smtp: 'smtp://127.0.0.1:25', from: 'desk@provider.example' }, Date.now);
 * await mailer.flush();
 * ```
 */
export class Mailer {
  private readonly transport: Transporter;
  private running: Promise<number> | undefined;
  private again = false;

  constructor(
    private readonly store: DeskStore,
    private readonly config: MailConfig,
    private readonly now: () => number,
    private readonly say: (line: string) => void = () => {},
  ) {
    this.transport = nodemailer.createTransport(config.smtp);
  }

  /** Sends what is pending; resolves to the number sent. Calls while one runs are folded in. */
  flush(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<number> {
    let sent = 0;
    do {
      this.again = false;
      for (const m of await this.store.pending(100)) {
        if (m.attempts >= 10) continue;
        try {
          await this.transport.sendMail({
            from: this.config.from,
            to: m.to,
            subject: m.subject,
            text: m.body,
            headers: { 'X-Kluis-Topic': m.topic },
          });
          await this.store.markSent(m.id, this.now());
          sent++;
        } catch (e) {
          await this.store.markFailed(m.id, (e as Error).message);
          this.say(`mail #${m.id} to ${m.to} not sent: ${(e as Error).message}`);
        }
      }
    } while (this.again);
    return sent;
  }

  /** Waits for a flush in progress. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  close(): void {
    this.transport.close();
  }
}
