import Foundation

/// Runs concurrent single-image embeddings as batches: a caller that finds the model idle runs
/// every input waiting at that moment (up to `maxBatch`) in one forward pass and hands each caller
/// its row; callers arriving meanwhile wait for the next pass. An idle service adds no delay (a
/// lone request runs at once as a batch of one); a busy one gets the throughput of batched
/// inference instead of queueing one forward per request behind a lock.
final class EmbeddingBatcher<Input, Output>: @unchecked Sendable {
    let maxBatch: Int
    private let run: ([Input]) throws -> [Output]
    private let condition = NSCondition()
    private var waiting: [(ticket: Int, input: Input)] = []
    private var done: [Int: Result<Output, Error>] = [:]
    private var running = false
    private var nextTicket = 0
    /// Forward passes run and inputs embedded (for tests and metrics).
    private(set) var passes = 0
    private(set) var embedded = 0

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
                        : .failure(GalleryError.invalid("the model gave \(outputs.count) features for \(batch.count) images"))
                }
            }
            passes += 1
            embedded += batch.count
            running = false
            condition.broadcast()
        }
        return try done.removeValue(forKey: ticket)!.get()
    }

    var counts: (passes: Int, embedded: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (passes, embedded)
    }
}
