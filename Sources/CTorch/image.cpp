// Image decode / resize / encode through OpenCV. Pixels cross the ABI as RGB uint8 HWC.
#include "ctorch.h"
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <cstdlib>
#include <cstring>
#include <string>

namespace ctorch {
void set_error(const char *msg);
}
using ctorch::set_error;

namespace {
// The loaders parallelise over images, so OpenCV's own thread pool would only oversubscribe.
const bool single_threaded_opencv = [] {
    cv::setNumThreads(1);
    return true;
}();

int export_rgb(const cv::Mat &bgr, uint8_t **pixels, int *h, int *w) {
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    size_t n = rgb.total() * 3;
    *pixels = static_cast<uint8_t *>(std::malloc(n));
    if (rgb.isContinuous()) {
        std::memcpy(*pixels, rgb.data, n);
    } else {
        for (int r = 0; r < rgb.rows; ++r) std::memcpy(*pixels + r * rgb.cols * 3, rgb.ptr(r), rgb.cols * 3);
    }
    *h = rgb.rows;
    *w = rgb.cols;
    return 0;
}

cv::Mat wrap_rgb(const uint8_t *pixels, int h, int w, int channels) {
    cv::Mat m(h, w, channels == 1 ? CV_8UC1 : CV_8UC3, const_cast<uint8_t *>(pixels));
    if (channels == 1) return m.clone();
    cv::Mat bgr;
    cv::cvtColor(m, bgr, cv::COLOR_RGB2BGR);
    return bgr;
}
} // namespace

extern "C" {

int ct_image_decode_file(const char *path, uint8_t **pixels, int *h, int *w) {
    try {
        cv::Mat img = cv::imread(path, cv::IMREAD_COLOR);
        if (img.empty()) {
            set_error((std::string("cannot decode image ") + path +
                       " (missing, unreadable, or not a JPEG/PNG/BMP file); remove or replace it")
                          .c_str());
            return -1;
        }
        return export_rgb(img, pixels, h, w);
    } catch (const std::exception &e) {
        set_error((std::string("cannot decode image ") + path + ": " + e.what()).c_str());
        return -1;
    }
}

int ct_image_decode_bytes(const uint8_t *bytes, size_t n, uint8_t **pixels, int *h, int *w) {
    try {
        cv::Mat buf(1, static_cast<int>(n), CV_8UC1, const_cast<uint8_t *>(bytes));
        cv::Mat img = cv::imdecode(buf, cv::IMREAD_COLOR);
        if (img.empty()) {
            set_error("the bytes are not a decodable image (JPEG, PNG or BMP expected)");
            return -1;
        }
        return export_rgb(img, pixels, h, w);
    } catch (const std::exception &e) {
        set_error((std::string("cannot decode image bytes: ") + e.what()).c_str());
        return -1;
    }
}

int ct_image_resize(const uint8_t *src, int h, int w, int c, uint8_t *dst, int oh, int ow) {
    try {
        cv::Mat in(h, w, c == 1 ? CV_8UC1 : CV_8UC3, const_cast<uint8_t *>(src));
        cv::Mat out(oh, ow, c == 1 ? CV_8UC1 : CV_8UC3, dst);
        cv::resize(in, out, cv::Size(ow, oh), 0, 0, cv::INTER_LINEAR);
        return 0;
    } catch (const std::exception &e) {
        set_error(e.what());
        return -1;
    }
}

int ct_image_write(const char *path, const uint8_t *pixels, int h, int w, int c) {
    try {
        if (!cv::imwrite(path, wrap_rgb(pixels, h, w, c))) {
            set_error((std::string("cannot write image ") + path + " (unknown extension or unwritable folder)").c_str());
            return -1;
        }
        return 0;
    } catch (const std::exception &e) {
        set_error((std::string("cannot write image ") + path + ": " + e.what()).c_str());
        return -1;
    }
}

int ct_image_encode(const char *ext, const uint8_t *pixels, int h, int w, int c, uint8_t **out, size_t *n) {
    try {
        std::vector<uchar> buf;
        if (!cv::imencode(ext, wrap_rgb(pixels, h, w, c), buf)) {
            set_error((std::string("cannot encode image as ") + ext).c_str());
            return -1;
        }
        *out = static_cast<uint8_t *>(std::malloc(buf.size()));
        std::memcpy(*out, buf.data(), buf.size());
        *n = buf.size();
        return 0;
    } catch (const std::exception &e) {
        set_error(e.what());
        return -1;
    }
}

int ct_image_load_normalized(const char *path, int oh, int ow, const float *mean, const float *std, float *dst) {
    try {
        cv::Mat img = cv::imread(path, cv::IMREAD_COLOR);
        if (img.empty()) {
            set_error((std::string("cannot decode image ") + path +
                       " (missing, unreadable, or not a JPEG/PNG/BMP file); remove or replace it")
                          .c_str());
            return -1;
        }
        cv::Mat resized;
        if (img.rows != oh || img.cols != ow) {
            cv::resize(img, resized, cv::Size(ow, oh), 0, 0, cv::INTER_LINEAR);
        } else {
            resized = img;
        }
        const size_t plane = static_cast<size_t>(oh) * ow;
        // OpenCV holds BGR: channel 2 is red. Fold /255, mean and std into one multiply-add.
        float scale[3], shift[3];
        for (int c = 0; c < 3; ++c) {
            scale[c] = 1.0f / (255.0f * std[c]);
            shift[c] = -mean[c] / std[c];
        }
        for (int r = 0; r < oh; ++r) {
            const uint8_t *row = resized.ptr<uint8_t>(r);
            float *red = dst + r * ow, *green = dst + plane + r * ow, *blue = dst + 2 * plane + r * ow;
            for (int x = 0; x < ow; ++x) {
                blue[x] = row[3 * x] * scale[2] + shift[2];
                green[x] = row[3 * x + 1] * scale[1] + shift[1];
                red[x] = row[3 * x + 2] * scale[0] + shift[0];
            }
        }
        return 0;
    } catch (const std::exception &e) {
        set_error((std::string("cannot load image ") + path + ": " + e.what()).c_str());
        return -1;
    }
}

} // extern "C"
