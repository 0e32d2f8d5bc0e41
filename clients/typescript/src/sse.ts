/** One server-sent event. */
export interface SseEvent {
  id: string;
  event: string;
  data: string;
}

/**
 * Splits a text/event-stream into events, as the HTML standard's parser does: lines end with CRLF, LF or CR;
 * `:` starts a comment; one space after the field's colon is dropped; `data` lines join with LF; a blank line
 * dispatches (an event with no data is not dispatched). `retry` is handed to `onRetry`.
 */
export class SseParser {
  private buffer = '';
  private id = '';
  private event = '';
  private data: string[] = [];
  private sawCr = false;

  constructor(private readonly onEvent: (e: SseEvent) => void, private readonly onRetry: (ms: number) => void = () => {}) {}

  push(chunk: string): void {
    let text = chunk;
    if (this.sawCr && text.startsWith('\n')) text = text.slice(1);
    this.sawCr = text.endsWith('\r');
    this.buffer += text;
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length) this.onEvent({id: this.id, event: this.event || 'message', data: this.data.join('\n')});
      this.data = [];
      this.event = '';
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.onRetry(Number(value));
  }
}
