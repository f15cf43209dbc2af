import ArgumentParser
import Foundation
import ReID
import Torch

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a trained model as ONNX, for onnxruntime and other inference engines.",
        discussion: """
            Takes a training run folder (its config.yaml names the backbone, pooling
            and input size; best.safetensors, or --checkpoint, holds the weights), or
            a --model and --weights pair. The graph computes the inference embedding
            (after the BNNeck) in evaluation mode, from an ImageNet-normalised batch
            `input` [batch, 3, H, W] (batch dynamic) to `features` [batch, D].
            Exported backbones: resnet50, resnet50-ibn-a, mobilenetv2, osnet_*, and
            runs trained from an ONNX file (--init model.onnx): its graph is written
            back with the adapted weights, under its own operator set.

            Examples:
              reid export --run runs/bot --format onnx --out bot.onnx
              reid export --model osnet_x0_25 --weights w.safetensors --out osnet.onnx --json
            """
    )

    @Option(name: .customLong("run"), help: "A training run folder (config.yaml + best.safetensors).") var runDir: String?
    @Option(help: "Weights inside the run: best, last, or a path.") var checkpoint: String = "best"
    @Option(help: "Without --run: a backbone name.") var model: String?
    @Option(help: "Without --run: a weight file.") var weights: String?
    @Option(help: "Without --run: input size HEIGHTxWIDTH.", transform: ImageSize.parse) var size: ImageSize = ImageSize(height: 256, width: 128)
    @Option(help: "Output format (onnx).") var format: String = "onnx"
    @Option(help: "Output file.") var out: String
    @Flag(help: "Print a JSON summary.") var json = false
    @OptionGroup var randomInit: RandomInitOption

    func validate() throws {
        if let model { try randomInit.check(model: model, weights: weights) }
        guard format == "onnx" else { throw ValidationError("--format \(format): only onnx is supported") }
        guard (runDir == nil) != (model == nil) else { throw ValidationError("give either --run RUN_DIR or --model NAME") }
        if let model, model.hasPrefix("onnx:"), weights == nil {
            throw ValidationError("--model \(model) is already an ONNX graph; export it with trained --weights, or use --run")
        }
    }

    func run() throws {
        let started = Date()
        let network: ReIDModel
        var height = size.height, width = size.width
        var weightsPath = weights
        if let run = runDir {
            let runModel = try RunModel(directory: run, checkpoint: checkpoint)
            network = try runModel.model()
            height = runModel.height
            width = runModel.width
            weightsPath = runModel.checkpoint
        } else {
            network = try ReIDModel(backbone: model!)
            if let weights { try network.loadWeights(from: weights, usage: .inference) } else {
                FileHandle.standardError.write(Data("warning: no --weights: exporting a randomly initialised \(model!)\n".utf8))
            }
        }
        let onnx = try ModelONNXExport.write(network, height: height, width: width, to: out)
        let seconds = Date().timeIntervalSince(started)
        if json {
            try printJSON(["out": out, "backbone": model ?? "from run", "weights": weightsPath ?? NSNull(),
                           "nodes": onnx.graph.nodes.count, "input": "\(height)x\(width)", "dims": network.featureDimension,
                           "opset": onnx.opset ?? ONNXGraphBuilder.opset, "seconds": seconds])
        } else {
            print(String(format: "wrote %@: %d nodes, input [N,3,%d,%d] → features [N,%d] (opset %lld), %.1f s", out,
                         onnx.graph.nodes.count, height, width, network.featureDimension, onnx.opset ?? ONNXGraphBuilder.opset, seconds))
        }
    }
}
