/**
 * @packageDocumentation
 * `@kluis/core/testing`: the transport conformance suite and fault-injecting wrappers, for anyone
 * who implements a `Transport`. The model-based case loads `fast-check` (an optional peer
 * dependency) when it runs; everything else needs nothing beyond `@kluis/core`.
 *
 * @module @kluis/core/testing
 */

export type { ConformanceOptions, TestRunner, TransportFactory } from './conformance';
export { CONFORMANCE_CASES, describeTransportConformance } from './conformance';
export type { ConformanceResult, StandaloneOptions } from './run-conformance';
export { runTransportConformance } from './run-conformance';
export type { FaultOptions, FaultyTransport, InjectedFault } from './with-faults';
export { withFaults } from './with-faults';
export type { LatencyOptions } from './with-latency';
export { withLatency } from './with-latency';
