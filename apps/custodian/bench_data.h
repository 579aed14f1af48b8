// What the benchmarks generate, shared by `bench store` and `bench http-setup`.
#pragma once

#include <random>
#include <string>

namespace custodian::app {

// A California-style plate: digit, three letters, three digits ("7ABC123").
std::string RandomPlate(std::mt19937_64& rng);

}  // namespace custodian::app
