import Torch

/// What a training method (supervised, cluster-contrast, PPLR, …) plugs into the shared loop.
/// The loop owns the data pipeline, schedules, checkpoints, logging and evaluation; a method
/// owns its model, losses, optimisers and any per-epoch work such as pseudo-labelling.
public protocol TrainingMethod: AnyObject {
    /// The model evaluated and saved as the run's weights.
    var model: ReIDModel { get }
    /// Other modules whose state must survive a resume (center-loss centers, memories, …).
    var auxiliaryModules: [String: any Module] { get }
    /// Optimisers whose state must survive a resume.
    var optimizers: [String: Optimizer] { get }
    /// Optimisers the method makes anew each epoch in `beginEpoch` (for a classifier over this
    /// epoch's pseudo-identities, say). The loop schedules them with `optimizers`: every optimiser
    /// follows the schedule, as the references' one StepLR over everything. They are not
    /// checkpointed: the next epoch replaces them, and a resume starts at an epoch boundary.
    var epochOptimizers: [Optimizer] { get }

    /// Called before each epoch (0-based): pseudo-labelling happens here. Returns numbers to log.
    func beginEpoch(_ epoch: Int, context: TrainingContext) throws -> [String: Double]

    /// One sampler pass of this epoch as batches of indices into `context.batchRecords`
    /// (`context.trainRecords` unless single-camera data was given). Passes of one epoch differ
    /// (see `SamplerPass`); the loop asks for more passes until it has `itersPerEpoch` batches.
    func batches(epoch: Int, pass: Int, context: TrainingContext) throws -> [[Int]]

    /// One optimisation step on a loaded batch; returns named loss values.
    func step(images: Tensor, indices: [Int], context: TrainingContext) throws -> [String: Double]

    /// The images that `batches` indexes (default: `context.batchRecords`; a method may add
    /// more, e.g. generated views). Read after `beginEpoch`.
    func trainingRecords(context: TrainingContext) -> [ImageRecord]
}

extension TrainingMethod {
    public var epochOptimizers: [Optimizer] { [] }
    public func trainingRecords(context: TrainingContext) -> [ImageRecord] { context.batchRecords }
}

/// What the loop shares with a method.
public final class TrainingContext {
    public let config: TrainingConfig
    public let trainRecords: [ImageRecord]
    /// Unlabeled single-camera videos (`data.singleCamera`), when given.
    public let singleCamera: SingleCameraData?
    /// What batch indices point into: the training records, then the single-camera records.
    public let batchRecords: [ImageRecord]
    public let device: Device
    public let runDirectory: RunDirectory
    /// Loads evaluation-mode (no augmentation) batches of any records, e.g. for feature extraction.
    public let extractor: FeatureExtractor

    public init(config: TrainingConfig, trainRecords: [ImageRecord], device: Device, runDirectory: RunDirectory,
                singleCamera: SingleCameraData? = nil) {
        self.config = config
        self.trainRecords = trainRecords
        self.singleCamera = singleCamera
        batchRecords = trainRecords + (singleCamera?.records ?? [])
        self.device = device
        self.runDirectory = runDirectory
        self.extractor = FeatureExtractor(height: config.data.height, width: config.data.width, batchSize: 64,
                                          device: device)
    }

    /// Evaluation-mode features of `records` from `model` (the global embedding), [N, D].
    public func features(of records: [ImageRecord], model: ReIDModel, label: String = "features") throws -> Tensor {
        try features(of: records, model: model, label: label) { try $0.embedding }
    }

    /// Evaluation-mode features of `records`: whatever `select` takes from each batch's output, [N, *].
    public func features(of records: [ImageRecord], model: ReIDModel, label: String,
                         select: (ReIDOutput) throws -> Tensor) throws -> Tensor {
        model.eval()
        defer { model.train() }
        return try extractor.extract(paths: records.map(\.path), progress: Progress(total: records.count, label: label)) {
            try select(model($0))
        }
    }
}
