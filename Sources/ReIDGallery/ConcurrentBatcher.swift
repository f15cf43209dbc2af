import Foundation

/// Runs concurrent single requests as batches (the service's image embeddings and its gallery
/// searches): a caller that finds the runner idle runs every input waiting at that moment (up to
/// `maxBatch`) in one pass and hands each caller its output; callers arriving meanwhile wait for
/// the next pass. An idle service adds no delay (a lone request runs at once as a batch of one);
/// a busy one gets the throughput of batched work (one forward pass, one BLAS product) instead of
/// queueing one pass per request behind a lock.
final class ConcurrentBatcher<Input, Output>: @unchecked Sendable {
    let maxBatch: Int
    private let run: ([Input]) throws -> [Output]
    private let condition = NSCondition()
    private var waiting: [(ticket: Int, input: Input)] = []
    private var done: [Int: Result<Output, Error>] = [:]
    private var running = false
    private var nextTicket = 0
    /// Passes run and inputs handled (for tests and metrics).
    private(set) var passes = 0
    private(set) var handled = 0

    /// `run` maps a batch of inputs to one output each, in order; it is never called concurrently.
    init(maxBatch: Int, run: @escaping ([Input]) throws -> [Output]) {
        self.maxBatch = max(1, maxBatch)
        self.run = run
    }

    func callAsFunction(_ input: Input) throws -> Output {
        condition.lock()
        defer { condition.unlock() }
        let ticket = nextTicket
        nextTicket += 1
        waiting.append((ticket, input))
        while done[ticket] == nil {
            guard !running else {
                condition.wait()
                continue
            }
            running = true
            let batch = Array(waiting.prefix(maxBatch))
            waiting.removeFirst(batch.count)
            condition.unlock()
            let outcome = Result { try run(batch.map(\.input)) }
            condition.lock()
            for (k, item) in batch.enumerated() {
                done[item.ticket] = outcome.flatMap { outputs in
                    outputs.count == batch.count ? .success(outputs[k])
                        : .failure(GalleryError.invalid("a batch of \(batch.count) gave \(outputs.count) results"))
                }
            }
            passes += 1
            handled += batch.count
            running = false
            condition.broadcast()
        }
        return try done.removeValue(forKey: ticket)!.get()
    }

    var counts: (passes: Int, handled: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (passes, handled)
    }
}
