import ArgumentParser
import Foundation
import ReID
import ReIDCommandOptions
import Torch
import CTorch

struct BenchInfer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Time model inference alone (random input, no image decoding).",
        discussion: """
            The first --warmup batches (which include tracing and optimising the
            model for inference) are not timed. With REID_PROFILE=trace.json set,
            one more batch is profiled per operator (open it in chrome://tracing).
            On the CPU the optimised graph has each ReLU, sigmoid, residual add and
            channel gate fused into the oneDNN op before it; REID_NO_FUSION=1 turns
            that off, to compare.

            Example:
              reid bench infer --model onnx:osnet_x0_25_msmt17.onnx --batch 64
            """
    )

    @Option(help: "Model (see `reid extract --help`).")
    var model: String

    @Option(help: "Weight file.")
    var weights: String?

    @Option var batch: Int = 64
    @Option var iterations: Int = 10
    @Option var warmup: Int = 2
    @Option(help: "Input size HEIGHTxWIDTH.", transform: ImageSize.parse)
    var size: ImageSize = ImageSize(height: 256, width: 128)

    @OptionGroup var deviceOption: DeviceOption
    @OptionGroup var precisionOption: PrecisionOption

    @Flag(help: "Run eagerly instead of the traced, inference-optimised path.")
    var eager = false

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        Runtime.configure()
        let device = try deviceOption.resolve()
        let loaded = try LoadedModel.load(model, weights: weights, device: device, traced: !eager,
                                          precision: precisionOption.resolve(on: device))
        let x = try Tensor.randn([batch, 3, size.height, size.width]).to(device)
        var times: [Double] = []
        try withNoGrad {
            for i in 0..<(warmup + iterations) {
                let t = Date()
                _ = try loaded.embed(x).to(.cpu)  // the copy back waits for an accelerator to finish
                if i >= warmup { times.append(Date().timeIntervalSince(t)) }
            }
        }
        if let path = ProcessInfo.processInfo.environment["REID_PROFILE"] {
            let p = ct_profile_begin(path)
            _ = try withNoGrad { try loaded.embed(x) }
            ct_profile_end(p)
        }
        let rate = Double(batch * iterations) / times.reduce(0, +)
        if json {
            try printJSON(["images_per_second": rate, "batch": batch, "eager": eager, "threads": Runtime.threadCount])
        } else {
            print(String(format: "%@: %.1f images/s (batch %d, %@)", model, rate, batch, eager ? "eager" : "traced"))
        }
    }
}
