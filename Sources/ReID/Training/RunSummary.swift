import Foundation
import Torch

/// The lines a training run starts with, so a user sees what is about to happen before waiting
/// for it: the data (images, identities or "unlabeled", cameras), what it is evaluated on, the
/// model and its size, the input, the batch, the iterations and the device.
public enum RunSummary {
    public static func text(config: TrainingConfig, dataset: any ReIDDataset, evaluation: (any ReIDDataset)?,
                            model: ReIDModel, device: Device) -> String {
        let train = dataset.train
        let labelled = train.contains { $0.pid >= 0 }
        let identities = labelled ? "\(dataset.ids) identities" : "unlabeled"
        let cameras = Set(train.map(\.camera)).count
        let parameters = model.parameters().reduce(0) { $0 + $1.count }
        // An ONNX file given as initial weights is the backbone itself (`ModelSection.resolved`).
        let resolved = config.model.resolved
        let batch = config.data.identitiesPerBatch * config.data.instancesPerIdentity
        let iterations = config.training.itersPerEpoch > 0 ? "\(config.training.itersPerEpoch) iterations"
                                                            : "one pass of the sampler"
        let evaluated: String
        if let evaluation {
            evaluated = "\(evaluation.query.count) query / \(evaluation.gallery.count) gallery images of "
                + (evaluation.root == dataset.root ? "the same dataset" : evaluation.root)
        } else {
            evaluated = "nothing (no query/gallery; give --eval-data DIR)"
        }
        return """
            \(config.method) on \(config.data.root): \(train.count) training images, \(identities), \(cameras) camera\(cameras == 1 ? "" : "s")
              evaluated on: \(evaluated)
              model: \(resolved.backbone) (\(String(format: "%.2f", Double(parameters) / 1e6)) M parameters)\(resolved.initialWeights.isEmpty ? (resolved.backbone.hasPrefix("onnx:") ? "" : ", random init") : " from \(resolved.initialWeights)")
              input \(config.data.height)x\(config.data.width), batch \(batch) (\(config.data.identitiesPerBatch) ids x \(config.data.instancesPerIdentity)), \(config.training.epochs) epochs of \(iterations), \(config.optimizer.name) lr \(config.optimizer.lr), device \(device)\(model.precision == .fp32 ? "" : ", \(model.precision)")
            """
    }
}
