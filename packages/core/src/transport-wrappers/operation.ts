/**
 * The five operations of a `Transport`, as named by wrappers: in metrics, in retry events
 * and in fault-injection rules.
 *
 * @example
 * ```ts
 * const op: TransportOp = 'put';
 * ```
 */
export type TransportOp = 'stat' | 'get' | 'put' | 'delete' | 'list';

/**
 * Every {@link TransportOp}, in a fixed order (useful to iterate over metrics).
 *
 * @example
 * ```ts
 * for (const op of TRANSPORT_OPS) console.log(op, metrics.ops[op].calls);
 * ```
 */
export const TRANSPORT_OPS: readonly TransportOp[] = Object.freeze(['stat', 'get', 'put', 'delete', 'list']);
