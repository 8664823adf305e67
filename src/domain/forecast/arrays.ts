/**
 * Arrays of numbers for the forecaster's hot paths, all made one way. V8 stores an array in one
 * of several forms (small integers or doubles, packed or with holes) and compiles each access
 * for the forms it has met; an array of another form later deoptimises the compiled code, which
 * runs unoptimised until it is compiled again. Histories of whole numbers, forecasts of 0 and
 * arrays made with holes all met the same code, and forecastSeries deoptimised at nearly every
 * series of bench/forecast; none does since every numeric series here is made packed doubles.
 */

/** n numbers (all `value`), held as doubles whether they are whole or not. */
export function doubles(n: number, value = 0): number[] {
  // -0 is no small integer: the array holds doubles from its first element on
  const a = [-0];
  for (let i = 1; i < n; i++) a.push(-0);
  a.length = n;
  return a.fill(value);
}
