import ArgumentParser
import Foundation
import ReID

/// How a command names the model it runs, shared by extract, evaluate and index build: a
/// registry backbone or ONNX graph with weights and an input size, or a training run (`--run`),
/// which carries all three. A flag that contradicts the run is an error, not silently ignored.
struct ModelOptions: ParsableArguments {
    @Option(help: "Model: resnet50, resnet50-ibn-a, mobilenetv2, osnet_x1_0 … osnet_x0_25, onnx:PATH, or color-histogram (a learning-free baseline).")
    var model: String?

    @Option(help: "Weight file (.safetensors, .pth or .onnx). Not needed for onnx:PATH models.")
    var weights: String?

    @Option(name: .customLong("run"), help: "A training run folder: its architecture, input size and best checkpoint (no --model, --weights or --size needed).")
    var runDirectory: String?

    @Option(help: "With --run: best, last, or a checkpoint file.")
    var checkpoint: String = "best"

    @Option(help: "Input size HEIGHTxWIDTH (default 256x128; with --run, the run's).", transform: ImageSize.parse)
    var size: ImageSize?

    @OptionGroup var randomInit: RandomInitOption

    /// What to load: a model spec for `LoadedModel.load`, its weights and the input size.
    struct Resolved {
        var spec: String
        var weights: String?
        var size: ImageSize
    }

    /// Whether a model was named at all (commands where it is optional ask first).
    var isGiven: Bool { model != nil || runDirectory != nil }

    func validate() throws {
        if runDirectory != nil && (model != nil || weights != nil) {
            throw ValidationError("--run carries its model and weights; drop --model and --weights (or drop --run)")
        }
        if let model { try randomInit.check(model: model, weights: weights) }
    }

    func resolve() throws -> Resolved {
        if let runDirectory {
            let run = try RunModel(directory: runDirectory, checkpoint: checkpoint)
            if let size { try run.requireInput(height: size.height, width: size.width) }
            return Resolved(spec: run.spec, weights: run.checkpoint, size: ImageSize(height: run.height, width: run.width))
        }
        guard let model else { throw ValidationError("give --model NAME (with --weights) or --run RUN_DIR") }
        return Resolved(spec: model, weights: weights, size: size ?? ImageSize(height: 256, width: 128))
    }
}
