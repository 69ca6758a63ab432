/** What the demo shows at one moment. */
export interface DemoView {
  readonly title: string;
  readonly phase: string;
  readonly holder: string | undefined;
  readonly token: string | undefined;
  /** Waiters in queue order (holder excluded). */
  readonly queue: readonly string[];
  readonly acquisitions: number;
  readonly perSecond: number;
  readonly count: number;
  readonly events: readonly string[];
}

const useColor = process.stdout.isTTY && process.env.NO_COLOR === undefined;
export const paint = (code: number, text: string): string =>
  useColor ? `\u001b[${code}m${text}\u001b[0m` : text;
const palette = [36, 33, 35, 32, 34, 96, 93, 95, 92, 94];

/** A worker's name in its own colour, padded for alignment. */
export function label(worker: string): string {
  const index = Number(/\d+$/.exec(worker)?.[0] ?? '0');
  return paint(palette[index % palette.length] ?? 0, worker.padEnd(9));
}

export function clock(): string {
  return new Date().toISOString().slice(11, 23);
}

const EVENT_LINES = 8;

/**
 * Draws the view: on a terminal as a block redrawn in place (holder, queue, rate, the latest
 * events); elsewhere (a pipe, CI) as plain event lines, each printed once.
 */
export class DemoDisplay {
  private drawnLines = 0;
  private printedEvents = 0;
  private readonly live = process.stdout.isTTY;

  line(text: string): void {
    this.clear();
    process.stdout.write(`${text}\n`);
  }

  draw(view: DemoView): void {
    if (!this.live) {
      for (const event of view.events.slice(this.printedEvents)) process.stdout.write(`${event}\n`);
      this.printedEvents = view.events.length;
      return;
    }
    const holder =
      view.holder === undefined
        ? paint(2, 'nobody')
        : `${label(view.holder)} fencing token ${paint(1, view.token ?? '')}`;
    const queue = view.queue.length === 0 ? paint(2, 'empty') : view.queue.join(' → ');
    const lines = [
      paint(1, view.title),
      `  phase     ${view.phase}`,
      `  holder    ${holder}`,
      `  queue     ${queue}`,
      `  rate      ${view.perSecond.toFixed(1)} acquisitions/s   total ${view.acquisitions}   counter ${view.count}`,
      '',
      ...view.events.slice(-EVENT_LINES),
    ];
    this.clear();
    process.stdout.write(`${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }

  /** Leaves the last live block on screen: what follows is printed below it. */
  keep(): void {
    this.drawnLines = 0;
  }

  /** Removes the live block. */
  clear(): void {
    if (this.drawnLines === 0) return;
    process.stdout.write(`\u001b[${this.drawnLines}A\u001b[0J`);
    this.drawnLines = 0;
  }
}
