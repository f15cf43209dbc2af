import Foundation

extension TrainingConfig.ModelSection {
    /// The section as the model is really built: ONNX initial weights are a whole network, so they
    /// become the backbone (`onnx:/absolute/path`) instead of weights copied into one. Runs write
    /// this form to config.yaml, so the file names the architecture that was trained.
    public var resolved: TrainingConfig.ModelSection {
        var section = self
        if section.initialWeights.lowercased().hasSuffix(".onnx") {
            section.backbone = BackboneRegistry.onnxPrefix + URL(fileURLWithPath: section.initialWeights).standardizedFileURL.path
            section.initialWeights = ""
        } else if let path = BackboneRegistry.onnxPath(section.backbone) {
            section.backbone = BackboneRegistry.onnxPrefix + URL(fileURLWithPath: path).standardizedFileURL.path
        }
        if !section.initialWeights.isEmpty {
            section.initialWeights = URL(fileURLWithPath: section.initialWeights).standardizedFileURL.path
        }
        return section
    }

    /// The re-ID head this section describes (`classes` 0: no classifier).
    public func head(classes: Int) throws -> HeadConfiguration {
        let kind: PoolingKind
        switch pooling {
        case "gem": kind = .gem
        case "average", "avg": kind = .average
        case "max": kind = .max
        default: throw ReIDError.invalidOption("model.pooling '\(pooling)': use average, gem or max")
        }
        return HeadConfiguration(pooling: kind, gemP: gemP, classes: classes, parts: parts)
    }
}
