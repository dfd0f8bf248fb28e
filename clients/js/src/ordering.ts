import type { ChatMessage } from "./types.js";

/** What happened to an entry handed to {@link SequenceOrder.accept}. */
export type AcceptResult = "delivered" | "duplicate" | "held";

/**
 * Delivers one conversation's entries exactly once and in sequence order: it keeps the highest contiguous sequence,
 * drops anything at or below it, and holds back later entries until the gap before them is filled.
 */
export class SequenceOrder {
  #contiguous: number;
  readonly #held = new Map<number, ChatMessage>();
  readonly #deliver: (entry: ChatMessage) => void;

  constructor(contiguous: number, deliver: (entry: ChatMessage) => void) {
    this.#contiguous = contiguous;
    this.#deliver = deliver;
  }

  /** The highest sequence up to which every entry has been delivered. */
  get contiguous(): number {
    return this.#contiguous;
  }

  /** How many entries wait for an earlier one. */
  get heldCount(): number {
    return this.#held.size;
  }

  /** Takes an entry from anywhere (snapshot, live event, history page, send acknowledgement). */
  accept(entry: ChatMessage): AcceptResult {
    const sequence = entry.sequence;
    if (!Number.isSafeInteger(sequence) || sequence <= this.#contiguous || this.#held.has(sequence)) return "duplicate";
    if (sequence !== this.#contiguous + 1) {
      this.#held.set(sequence, entry);
      return "held";
    }

    this.#contiguous = sequence;
    this.#deliver(entry);
    for (let next = this.#held.get(this.#contiguous + 1); next; next = this.#held.get(this.#contiguous + 1)) {
      this.#held.delete(next.sequence);
      this.#contiguous = next.sequence;
      this.#deliver(next);
    }

    return "delivered";
  }
}
