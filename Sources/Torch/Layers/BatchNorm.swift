/// Batch normalisation over channels of NCHW (or NC) input, `torch.nn.BatchNorm2d/1d`.
///
/// `subBatch` (the "--bn-batch" option) normalises each group of that many samples with its own
/// statistics, as data-parallel training on several GPUs does; the running statistics are then
/// updated once per group.
public final class BatchNorm: Layer, TrainingModeAware {
    @OptionalParameter public var weight: Tensor?
    @OptionalParameter public var bias: Tensor?
    @Buffer public var runningMean: Tensor
    @Buffer public var runningVar: Tensor
    @Buffer public var numBatchesTracked: Tensor
    public let eps: Double
    public let momentum: Double
    public var isTraining = true
    public var subBatch: Int?

    public init(_ features: Int, eps: Double = 1e-5, momentum: Double = 0.1, affine: Bool = true) throws {
        weight = affine ? try Tensor.ones([features]) : nil
        bias = affine ? try Tensor.zeros([features]) : nil
        _runningMean = Buffer(wrappedValue: try Tensor.zeros([features]), "running_mean")
        _runningVar = Buffer(wrappedValue: try Tensor.ones([features]), "running_var")
        _numBatchesTracked = Buffer(wrappedValue: try Tensor.zeros([], dtype: .int64), "num_batches_tracked")
        self.eps = eps
        self.momentum = momentum
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        if isTraining, let sub = subBatch, sub > 0, x.size(0) > sub {
            let parts = try x.split(size: sub, dim: 0).map { try normalise($0) }
            return try Tensor.cat(parts, dim: 0)
        }
        return try normalise(x)
    }

    private func normalise(_ x: Tensor) throws -> Tensor {
        try F.batchNorm(x, weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                        training: isTraining, momentum: momentum, eps: eps)
    }
}

public typealias BatchNorm2d = BatchNorm
public typealias BatchNorm1d = BatchNorm
