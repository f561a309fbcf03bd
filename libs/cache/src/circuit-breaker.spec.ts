import { CircuitBreaker } from './circuit-breaker';

describe('CircuitBreaker', () => {
  let clock = 0;
  const breaker = () => new CircuitBreaker(3, 1000, () => clock);
  beforeEach(() => (clock = 0));

  it('opens after the threshold of failures in a row and refuses calls', () => {
    const circuit = breaker();
    circuit.failed();
    circuit.failed();
    expect(circuit.allows()).toBe(true);
    circuit.failed();
    expect(circuit.state).toBe('open');
    expect(circuit.allows()).toBe(false);
  });

  it('a success resets the count', () => {
    const circuit = breaker();
    circuit.failed();
    circuit.failed();
    circuit.succeeded();
    circuit.failed();
    expect(circuit.state).toBe('closed');
  });

  it('lets one trial through after the open period; a success closes it', () => {
    const circuit = breaker();
    for (let i = 0; i < 3; i++) circuit.failed();
    clock = 1000;
    expect(circuit.state).toBe('half-open');
    expect(circuit.allows()).toBe(true);
    expect(circuit.allows()).toBe(false);
    circuit.succeeded();
    expect(circuit.state).toBe('closed');
  });

  it('a failed trial opens it again for a full period', () => {
    const circuit = breaker();
    for (let i = 0; i < 3; i++) circuit.failed();
    clock = 1000;
    expect(circuit.allows()).toBe(true);
    circuit.failed();
    expect(circuit.state).toBe('open');
    clock = 1999;
    expect(circuit.allows()).toBe(false);
  });
});
