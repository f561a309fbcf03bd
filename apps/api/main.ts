import { startStrata } from '../start';

void startStrata('api');
