import CTorch

/// Stateless neural-network functions (the `torch.nn.functional` of SwiftReID). Layers hold
/// the parameters and call these.
public enum F {
    static func pair(_ v: (Int, Int)) -> [Int64] { [Int64(v.0), Int64(v.1)] }

    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
        try wrap(ct_linear(x.handle, weight.handle, bias?.handle))
    }

    public static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                              padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1) throws -> Tensor {
        try checkGroups(groups, x)
        return try wrap(ct_conv2d(x.handle, weight.handle, bias?.handle, pair(stride), pair(padding), pair(dilation), Int64(groups)))
    }

    public static func convTranspose2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                                       padding: (Int, Int) = (0, 0), outputPadding: (Int, Int) = (0, 0),
                                       groups: Int = 1, dilation: (Int, Int) = (1, 1)) throws -> Tensor {
        try checkGroups(groups, x)
        return try wrap(ct_conv_transpose2d(x.handle, weight.handle, bias?.handle, pair(stride), pair(padding),
                                            pair(outputPadding), Int64(groups), pair(dilation)))
    }

    /// libtorch 1.13 divides by zero (SIGFPE) for some group counts larger than the channels
    /// before its own shape checks run, so out-of-range groups are rejected here.
    static func checkGroups(_ groups: Int, _ x: Tensor) throws {
        let shape = x.shape
        guard groups >= 1, shape.count >= 2, groups <= max(shape[1], 1) else {
            throw TorchError.invalidArgument("convolution groups \(groups) must be between 1 and the \(shape.count >= 2 ? shape[1] : 0) input channels")
        }
    }

    /// In training mode the running statistics are updated in place, as in PyTorch.
    public static func batchNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, runningMean: Tensor?, runningVar: Tensor?,
                                 training: Bool, momentum: Double = 0.1, eps: Double = 1e-5) throws -> Tensor {
        try wrap(ct_batch_norm(x.handle, weight?.handle, bias?.handle, runningMean?.handle, runningVar?.handle,
                               training ? 1 : 0, momentum, eps))
    }

    public static func instanceNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, runningMean: Tensor? = nil,
                                    runningVar: Tensor? = nil, useInputStats: Bool = true, momentum: Double = 0.1,
                                    eps: Double = 1e-5) throws -> Tensor {
        try wrap(ct_instance_norm(x.handle, weight?.handle, bias?.handle, runningMean?.handle, runningVar?.handle,
                                  useInputStats ? 1 : 0, momentum, eps))
    }

    public static func layerNorm(_ x: Tensor, shape: [Int], weight: Tensor?, bias: Tensor?, eps: Double = 1e-5) throws -> Tensor {
        let s = shape.map(Int64.init)
        return try wrap(ct_layer_norm(x.handle, s, Int32(s.count), weight?.handle, bias?.handle, eps))
    }

    public static func groupNorm(_ x: Tensor, groups: Int, weight: Tensor?, bias: Tensor?, eps: Double = 1e-5) throws -> Tensor {
        try wrap(ct_group_norm(x.handle, Int64(groups), weight?.handle, bias?.handle, eps))
    }

    public static func maxPool2d(_ x: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                                 dilation: (Int, Int) = (1, 1), ceilMode: Bool = false) throws -> Tensor {
        try wrap(ct_max_pool2d(x.handle, pair(kernel), pair(stride ?? kernel), pair(padding), pair(dilation), ceilMode ? 1 : 0))
    }

    public static func avgPool2d(_ x: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                                 ceilMode: Bool = false, countIncludePad: Bool = true) throws -> Tensor {
        try wrap(ct_avg_pool2d(x.handle, pair(kernel), pair(stride ?? kernel), pair(padding), ceilMode ? 1 : 0,
                               countIncludePad ? 1 : 0))
    }

    public static func adaptiveAvgPool2d(_ x: Tensor, _ size: (Int, Int)) throws -> Tensor {
        try wrap(ct_adaptive_avg_pool2d(x.handle, pair(size)))
    }

    public static func adaptiveMaxPool2d(_ x: Tensor, _ size: (Int, Int)) throws -> Tensor {
        try wrap(ct_adaptive_max_pool2d(x.handle, pair(size)))
    }

    public static func dropout(_ x: Tensor, p: Double, training: Bool) throws -> Tensor {
        try wrap(ct_dropout(x.handle, p, training ? 1 : 0))
    }

    public static func interpolate(_ x: Tensor, size: (Int, Int), bilinear: Bool = true, alignCorners: Bool = false) throws -> Tensor {
        try wrap(ct_upsample(x.handle, pair(size), bilinear ? 1 : 0, alignCorners ? 1 : 0))
    }

    /// Mean cross-entropy of logits [N, C] against class indices [N]; `labelSmoothing` as in PyTorch.
    public static func crossEntropy(_ logits: Tensor, target: Tensor, labelSmoothing: Double = 0,
                                    ignoreIndex: Int = -100) throws -> Tensor {
        try wrap(ct_cross_entropy(logits.handle, target.handle, labelSmoothing, Int64(ignoreIndex)))
    }
    public static func softMarginLoss(_ x: Tensor, _ y: Tensor) throws -> Tensor { try wrap(ct_soft_margin_loss(x.handle, y.handle)) }
    public static func mseLoss(_ x: Tensor, _ y: Tensor) throws -> Tensor { try wrap(ct_mse_loss(x.handle, y.handle)) }
    public static func l1Loss(_ x: Tensor, _ y: Tensor) throws -> Tensor { try wrap(ct_l1_loss(x.handle, y.handle)) }
    public static func bceWithLogits(_ x: Tensor, _ y: Tensor) throws -> Tensor { try wrap(ct_bce_with_logits(x.handle, y.handle)) }
}
