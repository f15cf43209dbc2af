import ArgumentParser
import Foundation
import ReID
import ReIDCommandOptions
import Torch

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure this machine: the training-step rate of a re-ID model.",
        discussion: """
            `make bench` runs these beside the PyTorch and onnxruntime peers and
            writes bench/results/*.json.

            Example:
              reid bench train-step --model resnet50 --batch 32 --steps 5 --json
            """,
        subcommands: [TrainStep.self, BenchInfer.self, BenchRerank.self, BenchEval.self, BenchSearch.self]
    )
}

struct TrainStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-step",
        abstract: "Time forward, backward and Adam on random images (no data loading).",
        discussion: """
            The step is the supervised baseline's: backbone (last stride 1) → global
            average pooling → BNNeck → linear classifier → cross-entropy → backward →
            Adam (lr 3.5e-4, weight decay 5e-4). The first --warmup steps are not
            timed. Inputs are normal random images of --size, labels are random.
            """
    )

    @Option(help: "Backbone name (see `reid extract --help`).")
    var model: String = "resnet50"

    @Option(help: "Images per step.")
    var batch: Int = 32

    @Option(help: "Timed steps.")
    var steps: Int = 5

    @Option(help: "Untimed steps first.")
    var warmup: Int = 2

    @Option(help: "Identities of the classifier.")
    var classes: Int = 751

    @Option(help: "Input size HEIGHTxWIDTH.", transform: ImageSize.parse)
    var size: ImageSize = ImageSize(height: 256, width: 128)

    @Option(help: "Memory format: nchw or channels-last.")
    var layout: String = "channels-last"

    @OptionGroup var precisionOption: PrecisionOption

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        Runtime.configure()
        let precision = precisionOption.resolve(on: .cpu)
        Runtime.seed(0)
        guard ["nchw", "channels-last"].contains(layout) else {
            throw ValidationError("--layout must be nchw or channels-last")
        }
        let model = try ReIDModel(backbone: model, options: BackboneOptions(lastStride: 1),
                                  head: HeadConfiguration(pooling: .average, classes: classes))
        model.train()
        var x = try Tensor.randn([batch, 3, size.height, size.width])
        if layout == "channels-last" {
            try model.convertToChannelsLast()
            x = try x.channelsLast()
        }
        let y = try Tensor.randint(0, classes, [batch])
        let optimizer = try Optimizer.adam(model.trainableParameters(), lr: 3.5e-4, weightDecay: 5e-4)
        var times: [Double] = []
        for i in 0..<(warmup + steps) {
            let t = Date()
            try optimizer.zeroGrad()
            let loss = try precision.run { try F.crossEntropy(model(x).logits!, target: y) }
            try loss.backward()
            try optimizer.step()
            if i >= warmup { times.append(Date().timeIntervalSince(t)) }
        }
        let seconds = times.reduce(0, +)
        if json {
            try printJSON(["steps": steps, "seconds": seconds, "steps_per_second": Double(steps) / seconds,
                           "images_per_second": Double(steps * batch) / seconds, "step_seconds": times,
                           "threads": Runtime.threadCount, "layout": layout, "precision": precision.rawValue])
        } else {
            print(String(format: "%@ batch %d: %.3f steps/s (%.1f images/s) over %d steps, %d threads, %@, %@",
                         model.backbone is ResNet50 ? "ResNet-50" : self.model, batch, Double(steps) / seconds,
                         Double(steps * batch) / seconds, steps, Runtime.threadCount, layout, precision.rawValue))
        }
    }
}
