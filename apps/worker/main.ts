import { startStrata } from '../start';

void startStrata('worker');
