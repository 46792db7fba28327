# Fixture written for licheck tests: code that copies nothing indexed.
from dataclasses import dataclass


@dataclass
class Thermostat:
    target: float
    hysteresis: float = 0.5
    heating: bool = False

    def step(self, reading: float) -> bool:
        """Switch the heater with a dead band around the target temperature."""
        if reading < self.target - self.hysteresis:
            self.heating = True
        elif reading > self.target + self.hysteresis:
            self.heating = False
        return self.heating


def schedule(hours: list[int], setback: float, comfort: float) -> dict[int, float]:
    plan = {}
    for hour in range(24):
        plan[hour] = comfort if hour in hours else setback
    return plan
